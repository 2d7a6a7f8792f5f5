import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Dev tokens for flashsale (RS256 JWTs), with the JDK only: run as {@code java TokenTool.java ...}
 * or compiled (scripts/token.sh caches a compiled copy under .run/jwt/).
 *
 * <pre>
 *   init DIR                                      create DIR/private.pem + DIR/public.pem (RSA 2048) if missing
 *   sign --key PEM [--issuer I] [--ttl-seconds N] SUBJECT ROLE...            print one token
 *   sign --key PEM [--issuer I] [--ttl-seconds N] [--threads N] --subjects-from FILE ROLE...
 *                                                 one token per line, for the subjects of FILE ('-': stdin), in order
 *   verify --pub PEM [--issuer I] TOKEN           check signature, expiry and issuer; print the claims
 *   verify-cost --pub PEM --tokens FILE [--seconds N]
 *                                                 check the signatures of FILE's tokens on one thread for N s
 *                                                 (default 3, after a 2 s warm-up): prints verify_us=..., the
 *                                                 CPU cost of one check, for the benchmark's report
 * </pre>
 *
 * RS256 because the service verifies a token on every purchase: an RSA signature is checked in
 * tens of microseconds, an ECDSA one costs about ten times more. Signing is the slow side (about
 * 1 ms a token), so bulk signing runs on every core.
 */
public class TokenTool {

    static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    static final String DEFAULT_ISSUER = "https://flashsale.local";
    static final String HEADER = B64URL.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            usage("a command is needed: init | sign | verify");
        }
        List<String> rest = new ArrayList<>(List.of(args).subList(1, args.length));
        int code = switch (args[0]) {
            case "init" -> init(rest);
            case "sign" -> sign(rest);
            case "verify" -> verify(rest);
            case "verify-cost" -> verifyCost(rest);
            default -> usage("unknown command " + args[0]);
        };
        System.exit(code);
    }

    static int usage(String why) {
        System.err.println("TokenTool: " + why);
        System.err.println("usage: init DIR | sign --key PEM [--issuer I] [--ttl-seconds N] [--threads N]"
                + " (SUBJECT | --subjects-from FILE) ROLE... | verify --pub PEM [--issuer I] TOKEN");
        System.exit(2);
        return 2;
    }

    // ------------------------------------------------------------------------------------ init

    static int init(List<String> args) throws Exception {
        if (args.size() != 1) {
            return usage("init needs a directory");
        }
        Path dir = Path.of(args.get(0));
        Path privateKey = dir.resolve("private.pem");
        Path publicKey = dir.resolve("public.pem");
        if (Files.exists(privateKey) && Files.exists(publicKey)) {
            return 0;
        }
        Files.createDirectories(dir);
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair pair = generator.generateKeyPair();
        // public first, private last: a concurrent reader that sees private.pem sees both
        writeAtomically(publicKey, pem("PUBLIC KEY", pair.getPublic().getEncoded()), "rw-r--r--");
        writeAtomically(privateKey, pem("PRIVATE KEY", pair.getPrivate().getEncoded()), "rw-------");
        System.err.println("TokenTool: created a dev key pair in " + dir);
        return 0;
    }

    static void writeAtomically(Path target, String content, String permissions) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), ".key", ".tmp");
        Files.writeString(tmp, content);
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(permissions));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: keep the default permissions
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    static byte[] der(Path file) throws IOException {
        String text = Files.readString(file).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return Base64.getDecoder().decode(text);
    }

    // ------------------------------------------------------------------------------------ sign

    static int sign(List<String> args) throws Exception {
        String key = null;
        String issuer = DEFAULT_ISSUER;
        long ttl = 3600;
        int threads = Runtime.getRuntime().availableProcessors();
        String subjectsFrom = null;
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--key" -> key = args.get(++i);
                case "--issuer" -> issuer = args.get(++i);
                case "--ttl-seconds" -> ttl = Long.parseLong(args.get(++i));
                case "--threads" -> threads = Math.max(1, Integer.parseInt(args.get(++i)));
                case "--subjects-from" -> subjectsFrom = args.get(++i);
                case "--" -> positional.addAll(args.subList(i + 1, args.size()));
                default -> positional.add(a);
            }
            if (a.equals("--")) {
                break;
            }
        }
        if (key == null) {
            return usage("sign needs --key");
        }
        PrivateKey privateKey = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der(Path.of(key))));
        Writer out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
        if (subjectsFrom == null) {
            if (positional.size() < 2) {
                return usage("sign needs a subject and at least one role");
            }
            out.write(token(privateKey, issuer, ttl, positional.get(0), positional.subList(1, positional.size())) + "\n");
            out.flush();
            return 0;
        }
        if (positional.isEmpty()) {
            return usage("--subjects-from needs at least one role");
        }
        List<String> subjects = (subjectsFrom.equals("-")
                ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8).lines()
                : Files.readAllLines(Path.of(subjectsFrom)).stream()).map(String::strip).filter(s -> !s.isEmpty()).toList();
        signAll(privateKey, issuer, ttl, subjects, positional, threads, out);
        out.flush();
        return 0;
    }

    /** Signs in parallel chunks and prints in the subjects' order. */
    static void signAll(PrivateKey key, String issuer, long ttl, List<String> subjects, List<String> roles, int threads,
            Writer out) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            int chunk = 1_000;
            List<Future<String[]>> parts = new ArrayList<>();
            for (int from = 0; from < subjects.size(); from += chunk) {
                List<String> slice = subjects.subList(from, Math.min(subjects.size(), from + chunk));
                parts.add(pool.submit(() -> {
                    String[] tokens = new String[slice.size()];
                    for (int i = 0; i < tokens.length; i++) {
                        tokens[i] = token(key, issuer, ttl, slice.get(i), roles);
                    }
                    return tokens;
                }));
            }
            for (Future<String[]> part : parts) {
                for (String token : part.get()) {
                    out.write(token);
                    out.write('\n');
                }
            }
        } finally {
            pool.shutdown();
        }
    }

    static String token(PrivateKey key, String issuer, long ttl, String subject, List<String> roles) throws Exception {
        long now = System.currentTimeMillis() / 1000;
        StringBuilder groups = new StringBuilder();
        for (String role : roles) {
            groups.append(groups.length() == 0 ? "" : ",").append(json(role));
        }
        String claims = "{\"iss\":" + json(issuer) + ",\"sub\":" + json(subject) + ",\"groups\":[" + groups + "],\"iat\":"
                + now + ",\"exp\":" + (now + ttl) + ",\"jti\":" + json(UUID.randomUUID().toString()) + "}";
        String input = HEADER + "." + B64URL.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initSign(key);
        rsa.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + B64URL.encodeToString(rsa.sign());
    }

    static String json(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    // ---------------------------------------------------------------------------------- verify

    static int verify(List<String> args) throws Exception {
        String pub = null;
        String issuer = null;
        String token = null;
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "--pub" -> pub = args.get(++i);
                case "--issuer" -> issuer = args.get(++i);
                default -> token = args.get(i);
            }
        }
        if (pub == null || token == null) {
            return usage("verify needs --pub and a token");
        }
        String[] parts = token.split("\\.");
        if (parts.length != 3) {
            return invalid("not a compact JWS");
        }
        String header = new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8);
        if (!header.replace(" ", "").contains("\"alg\":\"RS256\"")) {
            return invalid("algorithm is not RS256: " + header);
        }
        PublicKey key = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der(Path.of(pub))));
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initVerify(key);
        rsa.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        if (!rsa.verify(Base64.getUrlDecoder().decode(parts[2]))) {
            return invalid("bad signature");
        }
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        Matcher exp = Pattern.compile("\"exp\":(\\d+)").matcher(claims);
        if (!exp.find() || Long.parseLong(exp.group(1)) <= System.currentTimeMillis() / 1000) {
            return invalid("expired or no exp");
        }
        if (issuer != null && !claims.contains("\"iss\":" + json(issuer))) {
            return invalid("issuer is not " + issuer);
        }
        System.out.println(claims);
        return 0;
    }

    /**
     * What verifying one bearer token costs at the least: the RSA signature check alone, done the way a
     * verifier does it per request (a fresh Signature, the signed part, the decoded signature).
     */
    static int verifyCost(List<String> args) throws Exception {
        String pub = null;
        Path tokensFile = null;
        double seconds = 3;
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "--pub" -> pub = args.get(++i);
                case "--tokens" -> tokensFile = Path.of(args.get(++i));
                case "--seconds" -> seconds = Double.parseDouble(args.get(++i));
                default -> {
                    return usage("unknown verify-cost argument " + args.get(i));
                }
            }
        }
        if (pub == null || tokensFile == null) {
            return usage("verify-cost needs --pub and --tokens");
        }
        PublicKey key = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der(Path.of(pub))));
        List<String> tokens = new ArrayList<>();
        try (var lines = Files.lines(tokensFile)) {
            lines.filter(line -> !line.isBlank()).limit(20_000).forEach(tokens::add);
        }
        if (tokens.isEmpty()) {
            return usage(tokensFile + " holds no token");
        }
        checkSignatures(key, tokens, System.nanoTime() + 2_000_000_000L); // warm-up: JIT
        long started = System.nanoTime();
        long checked = checkSignatures(key, tokens, started + (long) (seconds * 1e9));
        System.out.printf(java.util.Locale.ROOT, "verify_us=%.1f checked=%d%n",
                (System.nanoTime() - started) / 1e3 / checked, checked);
        return 0;
    }

    private static long checkSignatures(PublicKey key, List<String> tokens, long until) throws Exception {
        long checked = 0;
        while (System.nanoTime() < until) {
            String token = tokens.get((int) (checked % tokens.size()));
            int lastDot = token.lastIndexOf('.');
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initVerify(key);
            rsa.update(token.substring(0, lastDot).getBytes(StandardCharsets.US_ASCII));
            if (!rsa.verify(Base64.getUrlDecoder().decode(token.substring(lastDot + 1)))) {
                throw new IllegalStateException("token " + checked % tokens.size() + " has a bad signature");
            }
            checked++;
        }
        return checked;
    }

    static int invalid(String why) {
        System.err.println("TokenTool: invalid token: " + why);
        return 1;
    }
}
