package io.flashsale.support;

import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.build.Jwt;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Real signed tokens for tests, from the test-only key pair in src/test/resources/jwt (the test
 * profile verifies with its public half), so every test, also against the packaged jar, goes
 * through the same verification as production. Plus the hostile ones the contract must refuse.
 */
public final class Tokens {

    public static final String ISSUER = "https://flashsale.local";
    private static final Path PRIVATE_KEY = Path.of("src/test/resources/jwt/test-private.pem");
    private static final Map<String, String> CACHE = new ConcurrentHashMap<>();
    private static volatile PrivateKey key;

    private Tokens() {
    }

    public static String buyer(String subject) {
        return token(subject, "buyer");
    }

    public static String operator() {
        return token("test-operator", "operator");
    }

    public static String payments() {
        return token("test-psp", "payments");
    }

    /** A valid token for {@code subject} with the given roles (cached: signing is not free). */
    public static String token(String subject, String... roles) {
        return CACHE.computeIfAbsent(subject + "|" + String.join(",", roles),
                k -> Jwt.issuer(ISSUER).subject(subject).groups(Set.of(roles)).expiresIn(3600)
                        .jws().algorithm(SignatureAlgorithm.RS256).sign(privateKey()));
    }

    public static String bearer(String token) {
        return "Bearer " + token;
    }

    // --- tokens the service must refuse ------------------------------------------------------

    public static String expired(String subject) {
        long now = System.currentTimeMillis() / 1000;
        return Jwt.issuer(ISSUER).subject(subject).groups(Set.of("buyer")).issuedAt(now - 7200).expiresAt(now - 5)
                .jws().algorithm(SignatureAlgorithm.RS256).sign(privateKey());
    }

    /** Valid now, expired {@code seconds} from now (never cached by this class). */
    public static String expiringIn(String subject, long seconds, String... roles) {
        return Jwt.issuer(ISSUER).subject(subject).groups(Set.of(roles)).expiresIn(seconds)
                .jws().algorithm(SignatureAlgorithm.RS256).sign(privateKey());
    }

    public static String wrongIssuer(String subject) {
        return Jwt.issuer("https://evil.example").subject(subject).groups(Set.of("buyer")).expiresIn(3600)
                .jws().algorithm(SignatureAlgorithm.RS256).sign(privateKey());
    }

    /** Signed by a key the service has never seen. */
    public static String foreignSignature(String subject) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return Jwt.issuer(ISSUER).subject(subject).groups(Set.of("buyer", "operator", "payments")).expiresIn(3600)
                    .jws().algorithm(SignatureAlgorithm.RS256).sign(generator.generateKeyPair().getPrivate());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** {"alg":"none"}: claims anyone could write. */
    public static String unsigned(String subject) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        long exp = System.currentTimeMillis() / 1000 + 3600;
        return b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes()) + "."
                + b64.encodeToString(("{\"iss\":\"" + ISSUER + "\",\"sub\":\"" + subject
                        + "\",\"groups\":[\"buyer\",\"operator\",\"payments\"],\"exp\":" + exp + "}").getBytes()) + ".";
    }

    /** A valid signature over claims whose signature bytes were then altered. */
    public static String tampered(String subject) {
        String token = token(subject, "buyer");
        char last = token.charAt(token.length() - 2);
        return token.substring(0, token.length() - 2) + (last == 'A' ? 'B' : 'A') + token.charAt(token.length() - 1);
    }

    private static PrivateKey privateKey() {
        if (key == null) {
            try {
                String pem = Files.readString(PRIVATE_KEY).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
                key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
            } catch (Exception e) {
                throw new IllegalStateException("test signing key " + PRIVATE_KEY + " unreadable", e);
            }
        }
        return key;
    }
}
