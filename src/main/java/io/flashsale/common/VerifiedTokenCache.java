package io.flashsale.common;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.concurrent.TimeUnit;
import javax.crypto.SecretKey;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Verifying a bearer token is most of what the crowd's cheapest answers cost (a JFR profile of the
 * sold-out path: 40 % of the event loops' time). During a sale a buyer's client sends the same
 * token again and again (retries, refreshes), so a verified token is remembered, keyed by its exact
 * text, until it expires (and at most a minute): a token is immutable, so the same text verifies
 * the same way until {@code exp}. Anything that fails verification is never cached. Bounded memory:
 * the least recently used tokens are forgotten first.
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class VerifiedTokenCache implements JWTParser {

    private static final long MAX_AGE_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final DefaultJWTParser verifier;
    private final Cache<String, JsonWebToken> verified;

    public VerifiedTokenCache(DefaultJWTParser verifier, ApiLimitsConfig limits) {
        this.verifier = verifier;
        this.verified = Caffeine.newBuilder()
                .maximumSize(limits.verifiedTokens())
                .expireAfter(new Expiry<String, JsonWebToken>() {
                    @Override
                    public long expireAfterCreate(String token, JsonWebToken jwt, long now) {
                        long untilExp = TimeUnit.SECONDS.toNanos(jwt.getExpirationTime() - System.currentTimeMillis() / 1000);
                        return Math.max(0, Math.min(MAX_AGE_NANOS, untilExp));
                    }

                    @Override
                    public long expireAfterUpdate(String token, JsonWebToken jwt, long now, long current) {
                        return current;
                    }

                    @Override
                    public long expireAfterRead(String token, JsonWebToken jwt, long now, long current) {
                        return current;
                    }
                })
                .build();
    }

    @Override
    public JsonWebToken parse(String token) throws ParseException {
        JsonWebToken known = verified.getIfPresent(token);
        if (known != null && known.getExpirationTime() > System.currentTimeMillis() / 1000) {
            return known;
        }
        JsonWebToken fresh = verifier.parse(token);
        verified.put(token, fresh);
        return fresh;
    }

    @Override
    public JsonWebToken parse(String token, JWTAuthContextInfo context) throws ParseException {
        return verifier.parse(token, context);
    }

    @Override
    public JsonWebToken verify(String token, PublicKey key) throws ParseException {
        return verifier.verify(token, key);
    }

    @Override
    public JsonWebToken verify(String token, SecretKey key) throws ParseException {
        return verifier.verify(token, key);
    }

    @Override
    public JsonWebToken verify(String token, String secret) throws ParseException {
        return verifier.verify(token, secret);
    }

    @Override
    public JsonWebToken decrypt(String token, PrivateKey key) throws ParseException {
        return verifier.decrypt(token, key);
    }

    @Override
    public JsonWebToken decrypt(String token, SecretKey key) throws ParseException {
        return verifier.decrypt(token, key);
    }

    @Override
    public JsonWebToken decrypt(String token, String secret) throws ParseException {
        return verifier.decrypt(token, secret);
    }

    @Override
    public JsonWebToken parseOnly(String token) throws ParseException {
        return verifier.parseOnly(token);
    }
}
