// Dev/bench JWT tool for flashsale: ES256 key pair, signing and verification with java.* only.
// Single-file program (Java 17): java scripts/jwt/TokenTool.java <command> ...
//
//   init <dir>
//       Creates <dir>/private.pem (PKCS#8, mode 600) and <dir>/public.pem (X.509
//       SubjectPublicKeyInfo), an EC P-256 pair, when either file is missing; otherwise keeps them.
//   sign --key <private.pem> [--issuer I] [--ttl-seconds N] <subject> <role>...
//       Prints one compact JWS (ES256): {"iss","sub","groups":[roles],"iat","exp","jti"}.
//   sign --key <private.pem> [--issuer I] [--ttl-seconds N] [--threads N] [--jca] --subjects-from FILE <role>...
//       One token per line for the subjects of FILE (one a line, surrounding blanks stripped,
//       blank lines skipped), in the order of FILE. FILE "-" is standard input. Signs with a fast
//       pure-Java P-256 signer (FastEs256 below: the JDK 17 signer needs ~1 ms per signature on a
//       small machine, this one ~0.1 ms), spot-checked with the JDK's verifier; --jca signs with
//       the JDK's SHA256withECDSAinP1363Format instead (slow). A single token always uses the JDK.
//   selftest [COUNT]
//       Checks the fast signer used by --subjects-from against the JDK on fresh keys: d*G equals
//       the JDK's public key, and COUNT (default 1000) signatures pass the JDK's verifier.
//   verify --pub <public.pem> [--issuer I] <token>
//       Checks alg ES256, the signature and exp (no grace), and the issuer when --issuer is
//       given; prints the claims JSON. Exit 1 when the token is not valid.
//
// Defaults: issuer https://flashsale.local, ttl 3600 s. Exit codes: 0 ok, 1 invalid token,
// 2 usage or I/O error. Messages go to stderr; stdout carries only tokens (sign) or claims (verify).
//
// The signature is JOSE's raw R||S (64 bytes, "SHA256withECDSAinP1363Format"), not DER.

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

public class TokenTool {

    static final String DEFAULT_ISSUER = "https://flashsale.local";
    static final long DEFAULT_TTL = 3600;
    static final String ALG = "SHA256withECDSAinP1363Format";
    static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    static final Base64.Decoder B64URL_DEC = Base64.getUrlDecoder();
    /** base64url of {"alg":"ES256","typ":"JWT"}: the same for every token. */
    static final String HEADER_B64 =
            B64URL.encodeToString("{\"alg\":\"ES256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    /** Subjects signed per task in --subjects-from mode. */
    static final int CHUNK = 500;
    /** --subjects-from: the first token and every n-th are verified with the JDK's verifier. */
    static final long SPOT_CHECK_EVERY = 2000;

    static final String USAGE = String.join("\n",
            "usage: java scripts/jwt/TokenTool.java init <dir>",
            "       java scripts/jwt/TokenTool.java sign --key <private.pem> [--issuer I] [--ttl-seconds N] <subject> <role>...",
            "       java scripts/jwt/TokenTool.java sign --key <private.pem> [--issuer I] [--ttl-seconds N] [--threads N]",
            "                                       [--jca] --subjects-from FILE <role>...",
            "       java scripts/jwt/TokenTool.java verify --pub <public.pem> [--issuer I] <token>",
            "       java scripts/jwt/TokenTool.java selftest [COUNT]   (fast signer vs the JDK, fresh keys)",
            "defaults: --issuer " + DEFAULT_ISSUER + ", --ttl-seconds " + DEFAULT_TTL
                    + ", --threads: available processors (at most 4)");

    /** A usage or input error: message on stderr, exit 2. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    public static void main(String[] args) {
        int rc;
        try {
            if (args.length == 0) throw new UsageException("no command");
            String[] rest = Arrays.copyOfRange(args, 1, args.length);
            switch (args[0]) {
                case "init": rc = init(rest); break;
                case "sign": rc = sign(rest); break;
                case "verify": rc = verify(rest); break;
                case "selftest": rc = selftest(rest); break;
                case "-h": case "--help": case "help":
                    System.out.println(USAGE);
                    rc = 0;
                    break;
                default: throw new UsageException("unknown command: " + args[0]);
            }
        } catch (UsageException e) {
            System.err.println("TokenTool: " + e.getMessage());
            System.err.println(USAGE);
            rc = 2;
        } catch (Exception e) {
            System.err.println("TokenTool: " + e);
            rc = 2;
        }
        System.exit(rc);
    }

    // ------------------------------------------------------------------ init

    static int init(String[] args) throws Exception {
        if (args.length != 1) throw new UsageException("init takes exactly one directory");
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        Path priv = dir.resolve("private.pem");
        Path pub = dir.resolve("public.pem");
        if (Files.exists(priv) && Files.exists(pub)) return 0;
        // Two scripts may init at once (scripts/run.sh, scripts/token.sh): serialize them so
        // that the two files always belong to the same pair.
        try (FileChannel lockFile = FileChannel.open(dir.resolve(".init.lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            lockFile.lock(); // released when the channel closes
            if (Files.exists(priv) && Files.exists(pub)) return 0;
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = gen.generateKeyPair();
            boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
            // private key first: a crash in between leaves public.pem missing, so the next init
            // generates a fresh pair instead of keeping a mismatched one
            writeAtomically(dir, priv, pem("PRIVATE KEY", pair.getPrivate().getEncoded()), posix ? "rw-------" : null);
            writeAtomically(dir, pub, pem("PUBLIC KEY", pair.getPublic().getEncoded()), posix ? "rw-r--r--" : null);
            System.err.println("TokenTool: generated an EC P-256 key pair: " + priv + " (mode 600), " + pub);
        }
        return 0;
    }

    static void writeAtomically(Path dir, Path target, String content, String perms) throws IOException {
        Path tmp = perms == null
                ? Files.createTempFile(dir, ".tmp-", ".pem")
                : Files.createTempFile(dir, ".tmp-", ".pem",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(tmp, content, StandardCharsets.US_ASCII);
            if (perms != null) Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(perms));
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    static byte[] readPem(Path file, String type) throws IOException, UsageException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new UsageException("no such key file: " + file);
        }
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int b = text.indexOf(begin);
        int e = text.indexOf(end);
        if (b < 0 || e < b) {
            throw new UsageException(file + ": expected a PEM block '" + begin + "'"
                    + ("PRIVATE KEY".equals(type)
                            ? " (PKCS#8; convert an 'EC PRIVATE KEY' with: openssl pkcs8 -topk8 -nocrypt)"
                            : ""));
        }
        String body = text.substring(b + begin.length(), e).replaceAll("\\s", "");
        try {
            return Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException ex) {
            throw new UsageException(file + ": bad base64 in the PEM block");
        }
    }

    static PrivateKey readPrivateKey(Path file) throws Exception {
        try {
            return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(readPem(file, "PRIVATE KEY")));
        } catch (java.security.spec.InvalidKeySpecException e) {
            throw new UsageException(file + ": not an EC private key (" + e.getMessage() + ")");
        }
    }

    static PublicKey readPublicKey(Path file) throws Exception {
        try {
            return KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(readPem(file, "PUBLIC KEY")));
        } catch (java.security.spec.InvalidKeySpecException e) {
            throw new UsageException(file + ": not an EC public key (" + e.getMessage() + ")");
        }
    }

    // ------------------------------------------------------------------ sign

    static int sign(String[] args) throws Exception {
        String key = null;
        String issuer = DEFAULT_ISSUER;
        long ttl = DEFAULT_TTL;
        String subjectsFrom = null;
        boolean jca = false;
        int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!positional.isEmpty() || !a.startsWith("--")) {
                positional.add(a);
                continue;
            }
            switch (a) {
                case "--": positional.addAll(List.of(args).subList(i + 1, args.length)); i = args.length; break;
                case "--key": key = value(args, ++i, a); break;
                case "--issuer": issuer = value(args, ++i, a); break;
                case "--ttl-seconds": ttl = positiveLong(value(args, ++i, a), a); break;
                case "--subjects-from": subjectsFrom = value(args, ++i, a); break;
                case "--threads": threads = (int) Math.min(64, positiveLong(value(args, ++i, a), a)); break;
                case "--jca": jca = true; break;
                default: throw new UsageException("unknown option for sign: " + a);
            }
        }
        if (key == null) throw new UsageException("sign needs --key <private.pem>");
        if (issuer.isEmpty()) throw new UsageException("--issuer must not be empty");
        List<String> roles;
        String subject = null;
        if (subjectsFrom == null) {
            if (positional.size() < 2) throw new UsageException("sign needs a subject and at least one role");
            subject = positional.get(0);
            if (subject.isEmpty()) throw new UsageException("the subject must not be empty");
            roles = positional.subList(1, positional.size());
        } else {
            if (positional.isEmpty()) throw new UsageException("sign --subjects-from needs at least one role");
            roles = positional;
        }
        for (String r : roles) if (r.isEmpty()) throw new UsageException("a role must not be empty");

        Claims claims = new Claims(issuer, ttl, roles);
        ECPrivateKey privateKey = (ECPrivateKey) readPrivateKey(Path.of(key));
        Writer out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.US_ASCII), 1 << 16);
        if (subjectsFrom == null) {
            // one token: the JDK's own signer
            String input = claims.signingInput(subject);
            out.write(Claims.token(input, jcaSign(privateKey, input)));
            out.write('\n');
        } else {
            signAll(claims, privateKey, jca, subjectsFrom, threads, out);
        }
        out.flush();
        if (System.out.checkError()) throw new IOException("writing the tokens to stdout failed");
        return 0;
    }

    static byte[] jcaSign(PrivateKey key, String signingInput) throws GeneralSecurityException {
        Signature sig = Signature.getInstance(ALG);
        sig.initSign(key);
        sig.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        byte[] rs = sig.sign(); // P1363: R||S, 32 bytes each for P-256
        if (rs.length != 64) throw new GeneralSecurityException("unexpected ES256 signature length " + rs.length);
        return rs;
    }

    /** Verifies with the JDK's ES256 verifier (used to spot-check the fast signer). */
    static boolean jcaVerify(PublicKey key, String signingInput, byte[] rs) throws GeneralSecurityException {
        Signature sig = Signature.getInstance(ALG);
        sig.initVerify(key);
        sig.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        try {
            return sig.verify(rs);
        } catch (java.security.SignatureException e) {
            return false;
        }
    }

    /**
     * Reads FILE as it goes and signs it in chunks on a few threads, writing the tokens in FILE's
     * order. Signs with {@link FastEs256} (the JDK 17 signer needs about 1 ms per signature here),
     * and verifies the first token and every SPOT_CHECK_EVERY-th one with the JDK's verifier.
     */
    static void signAll(Claims claims, ECPrivateKey key, boolean jca, String file, int threads, Writer out)
            throws Exception {
        long t0 = System.nanoTime();
        FastEs256 fast = jca ? null : new FastEs256(key);
        PublicKey checkKey = jca ? null : fast.publicKey();
        long tReady = System.nanoTime();
        long count = 0;
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "sign");
            t.setDaemon(true);
            return t;
        });
        ArrayDeque<Future<String>> inFlight = new ArrayDeque<>();
        int window = threads * 4; // bounds memory for any file size
        try (var reader = "-".equals(file)
                ? new java.io.BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                : Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
            List<String> chunk = new ArrayList<>(CHUNK);
            boolean eof = false;
            while (!eof || !inFlight.isEmpty()) {
                while (!eof && inFlight.size() < window) {
                    String line = reader.readLine();
                    if (line == null) {
                        eof = true;
                    } else {
                        line = line.strip();
                        if (!line.isEmpty()) chunk.add(line);
                    }
                    if (chunk.size() == CHUNK || (eof && !chunk.isEmpty())) {
                        List<String> subjects = chunk;
                        long first = count;
                        count += subjects.size();
                        inFlight.add(pool.submit(() -> {
                            List<String> inputs = new ArrayList<>(subjects.size());
                            for (String s : subjects) inputs.add(claims.signingInput(s));
                            List<byte[]> sigs = jca ? null : fast.sign(inputs);
                            StringBuilder sb = new StringBuilder(subjects.size() * 340);
                            for (int n = 0; n < subjects.size(); n++) {
                                String input = inputs.get(n);
                                byte[] rs = jca ? jcaSign(key, input) : sigs.get(n);
                                if (!jca && (first + n) % SPOT_CHECK_EVERY == 0 && !jcaVerify(checkKey, input, rs)) {
                                    throw new IllegalStateException("the JDK's verifier rejected token "
                                            + (first + n + 1) + " of the fast ES256 signer (retry with --jca)");
                                }
                                sb.append(Claims.token(input, rs)).append('\n');
                            }
                            return sb.toString();
                        }));
                        chunk = new ArrayList<>(CHUNK);
                    }
                }
                if (!inFlight.isEmpty()) out.write(inFlight.poll().get());
            }
        } catch (java.nio.file.NoSuchFileException e) {
            throw new UsageException("no such subjects file: " + file);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
        } finally {
            pool.shutdownNow();
        }
        if (count == 0) throw new UsageException("no subjects in " + file);
        long t1 = System.nanoTime();
        System.err.printf("TokenTool: signed %d tokens in %.2f s (%s, %d threads%s)%n", count, (t1 - t0) / 1e9,
                jca ? "JDK signer" : "fast signer, spot-checked with the JDK verifier", threads,
                jca ? "" : String.format(", %.2f s of it precomputing", (tReady - t0) / 1e9));
    }

    /** The claims of every token of one run: only sub, iat, exp and jti change per token. */
    static final class Claims {
        final String issJson;
        final String groupsJson;
        final long ttl;

        Claims(String issuer, long ttl, List<String> roles) {
            this.ttl = ttl;
            this.issJson = jsonString(issuer);
            StringBuilder g = new StringBuilder("[");
            for (int i = 0; i < roles.size(); i++) {
                if (i > 0) g.append(',');
                g.append(jsonString(roles.get(i)));
            }
            this.groupsJson = g.append(']').toString();
        }

        /** base64url(header) "." base64url(claims) */
        String signingInput(String subject) {
            long iat = System.currentTimeMillis() / 1000;
            String claims = "{\"iss\":" + issJson
                    + ",\"sub\":" + jsonString(subject)
                    + ",\"groups\":" + groupsJson
                    + ",\"iat\":" + iat
                    + ",\"exp\":" + (iat + ttl)
                    + ",\"jti\":\"" + UUID.randomUUID() + "\"}";
            return HEADER_B64 + "." + B64URL.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        }

        static String token(String signingInput, byte[] rs) {
            return signingInput + "." + B64URL.encodeToString(rs);
        }
    }

    /**
     * ECDSA P-256 with SHA-256 (ES256), output as JOSE R||S, for signing many tokens quickly.
     *
     * <p>k*G is a fixed-base comb: k's 32 bytes index 32 tables of 255 precomputed affine points
     * (byte b of window i -> b*256^i*G), so a signature costs 32 mixed Jacobian-affine additions
     * (7M+4S each) instead of the ~256 doublings and 64 additions of a generic multiplication.
     * Field arithmetic is Montgomery multiplication on 8 little-endian 32-bit limbs held in longs,
     * reduced with the special form of p; the inversions of a batch of signatures are one
     * BigInteger inversion each (Montgomery's trick), and all arithmetic mod n uses BigInteger.
     * The curve comes from the JDK (secp256r1). k is uniform in [1, n-1] from SecureRandom
     * (FIPS 186-4 B.5.1).
     *
     * <p>Not constant-time: meant for dev and bench keys. Its signatures are spot-checked with the
     * JDK's verifier by the caller, and {@code selftest} checks many of them.
     */
    static final class FastEs256 {
        static final long MASK = 0xFFFFFFFFL;
        static final int LIMBS = 8;
        static final int WINDOWS = 32;
        static final int PER_WINDOW = 255;

        static final ECParameterSpec SPEC;
        static final BigInteger P;
        static final BigInteger N;
        static final long[] PW;
        static final BigInteger R;     // 2^256 mod p
        static final long[] ONE_M;     // 1 in Montgomery form
        static final BigInteger R_INV;
        static final BigInteger N_MINUS_1;

        static {
            try {
                AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
                params.init(new ECGenParameterSpec("secp256r1"));
                SPEC = params.getParameterSpec(ECParameterSpec.class);
            } catch (GeneralSecurityException e) {
                throw new ExceptionInInitializerError(e);
            }
            P = ((ECFieldFp) SPEC.getCurve().getField()).getP();
            N = SPEC.getOrder();
            if (P.bitLength() != 256 || N.bitLength() != 256 || SPEC.getCofactor() != 1
                    || !SPEC.getCurve().getA().equals(P.subtract(BigInteger.valueOf(3)))) {
                throw new ExceptionInInitializerError("unexpected secp256r1 parameters");
            }
            PW = words(P);
            BigInteger form = BigInteger.ONE.shiftLeft(256).subtract(BigInteger.ONE.shiftLeft(224))
                    .add(BigInteger.ONE.shiftLeft(192)).add(BigInteger.ONE.shiftLeft(96)).subtract(BigInteger.ONE);
            if (!P.equals(form)) throw new ExceptionInInitializerError("unexpected secp256r1 prime"); // Ctx.mul
            R = BigInteger.ONE.shiftLeft(256).mod(P);
            ONE_M = words(R);
            R_INV = R.modInverse(P);
            N_MINUS_1 = N.subtract(BigInteger.ONE);
        }

        // table: window i, digit d (1..255) -> affine point at ((i * 255) + d - 1) * 8
        final long[] tx = new long[WINDOWS * PER_WINDOW * LIMBS];
        final long[] ty = new long[WINDOWS * PER_WINDOW * LIMBS];
        final BigInteger d;
        final ThreadLocal<Ctx> ctx = ThreadLocal.withInitial(Ctx::new);

        FastEs256(ECPrivateKey key) {
            if (!((ECFieldFp) key.getParams().getCurve().getField()).getP().equals(P)
                    || !key.getParams().getOrder().equals(N)) {
                throw new IllegalArgumentException("the key is not a P-256 (secp256r1) key");
            }
            d = key.getS();
            if (d.signum() <= 0 || d.compareTo(N) >= 0) throw new IllegalArgumentException("bad private scalar");
            precompute();
        }

        static long[] words(BigInteger v) {
            long[] w = new long[LIMBS];
            for (int i = 0; i < LIMBS; i++) w[i] = v.shiftRight(32 * i).longValue() & MASK;
            return w;
        }

        static BigInteger big(long[] w) {
            BigInteger v = BigInteger.ZERO;
            for (int i = LIMBS - 1; i >= 0; i--) v = v.shiftLeft(32).or(BigInteger.valueOf(w[i]));
            return v;
        }

        static long[] toMont(BigInteger v) {
            return words(v.shiftLeft(256).mod(P));
        }

        static BigInteger fromMont(long[] w) {
            return big(w).multiply(R_INV).mod(P);
        }

        /**
         * out[i] = 1/in[i] (Montgomery form) for i < n, with one BigInteger inversion for all of
         * them (Montgomery's trick: 3 multiplications each). No in[i] may be 0.
         */
        static void batchInvert(Ctx c, long[][] in, long[][] out, int n) {
            long[][] prefix = new long[n][LIMBS];
            System.arraycopy(in[0], 0, prefix[0], 0, LIMBS);
            for (int i = 1; i < n; i++) c.mul(prefix[i - 1], in[i], prefix[i]);
            if (Ctx.isZero(prefix[n - 1])) throw new IllegalStateException("inverting 0");
            // (aR)^-1 in Montgomery form is a^-1 R = R^2 / (aR)
            long[] inv = toMont(fromMont(prefix[n - 1]).modInverse(P));
            long[] tmp = new long[LIMBS];
            for (int i = n - 1; i > 0; i--) {
                c.mul(inv, prefix[i - 1], out[i]);
                c.mul(inv, in[i], tmp);
                System.arraycopy(tmp, 0, inv, 0, LIMBS);
            }
            System.arraycopy(inv, 0, out[0], 0, LIMBS);
        }

        /** Fills the comb tables, one batch inversion per window. */
        private void precompute() {
            Ctx c = ctx.get();
            long[] bx = toMont(SPEC.getGenerator().getAffineX());
            long[] by = toMont(SPEC.getGenerator().getAffineY());
            int n = PER_WINDOW + 1; // 1..255 times the base, and 256 times: the next window's base
            long[][] xs = new long[n][LIMBS], ys = new long[n][LIMBS], zs = new long[n][LIMBS], zi = new long[n][LIMBS];
            long[] zi2 = new long[LIMBS], zi3 = new long[LIMBS];
            for (int i = 0; i < WINDOWS; i++) {
                c.setInfinity();
                for (int m = 0; m < n; m++) {
                    c.madd(bx, by, 0); // (m + 1) * base
                    System.arraycopy(c.x, 0, xs[m], 0, LIMBS);
                    System.arraycopy(c.y, 0, ys[m], 0, LIMBS);
                    System.arraycopy(c.z, 0, zs[m], 0, LIMBS);
                }
                batchInvert(c, zs, zi, n);
                for (int m = 0; m < n; m++) {
                    c.mul(zi[m], zi[m], zi2);
                    c.mul(zi2, zi[m], zi3);
                    if (m < PER_WINDOW) {
                        int off = ((i * PER_WINDOW) + m) * LIMBS;
                        c.mul(xs[m], zi2, xs[m]);
                        c.mul(ys[m], zi3, ys[m]);
                        System.arraycopy(xs[m], 0, tx, off, LIMBS);
                        System.arraycopy(ys[m], 0, ty, off, LIMBS);
                    } else {
                        c.mul(xs[m], zi2, bx);
                        c.mul(ys[m], zi3, by);
                    }
                }
            }
        }

        /** Jacobian k*G into c's accumulator, for 0 < k < n. */
        void multiplyG(Ctx c, BigInteger k) {
            byte[] kb = fixed32(k);
            c.setInfinity();
            for (int i = 0; i < WINDOWS; i++) {
                int dgt = kb[31 - i] & 0xFF;
                if (dgt != 0) c.madd(tx, ty, ((i * PER_WINDOW) + dgt - 1) * LIMBS);
            }
        }

        /** k*G as affine (x, y), for 0 < k < n. */
        BigInteger[] multiplyG(BigInteger k) {
            Ctx c = ctx.get();
            multiplyG(c, k);
            if (Ctx.isZero(c.z)) throw new IllegalStateException("point at infinity");
            BigInteger zi = fromMont(c.z).modInverse(P);
            BigInteger zi2 = zi.multiply(zi).mod(P);
            return new BigInteger[] {
                fromMont(c.x).multiply(zi2).mod(P), fromMont(c.y).multiply(zi2).multiply(zi).mod(P)};
        }

        PublicKey publicKey() throws GeneralSecurityException {
            BigInteger[] q = multiplyG(d);
            return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(q[0], q[1]), SPEC));
        }

        /** One ES256 signature (R||S) of the ASCII signing input. */
        byte[] sign(String signingInput) {
            return sign(List.of(signingInput)).get(0);
        }

        /**
         * ES256 signatures (R||S) of the ASCII signing inputs. The inversions of a batch (the
         * Jacobian Z of each k*G mod p and each k mod n) cost one BigInteger inversion each.
         */
        List<byte[]> sign(List<String> inputs) {
            Ctx c = ctx.get();
            int n = inputs.size();
            BigInteger[] e = new BigInteger[n], k = new BigInteger[n], r = new BigInteger[n];
            long[][] xs = new long[n][LIMBS], zs = new long[n][LIMBS], zi = new long[n][LIMBS];
            for (int i = 0; i < n; i++) {
                c.sha256.reset();
                e[i] = new BigInteger(1, c.sha256.digest(inputs.get(i).getBytes(StandardCharsets.US_ASCII)));
                // FIPS 186-4 B.5.1: 64 extra random bits make k mod (n-1) + 1 uniform in [1, n-1]
                k[i] = new BigInteger(N.bitLength() + 64, c.random).mod(N_MINUS_1).add(BigInteger.ONE);
                multiplyG(c, k[i]);
                System.arraycopy(c.x, 0, xs[i], 0, LIMBS);
                System.arraycopy(c.z, 0, zs[i], 0, LIMBS);
            }
            batchInvert(c, zs, zi, n);
            long[] t = new long[LIMBS];
            BigInteger[] kPrefix = new BigInteger[n];
            for (int i = 0; i < n; i++) {
                c.mul(zi[i], zi[i], t);
                c.mul(xs[i], t, t); // affine x, Montgomery form
                r[i] = fromMont(t).mod(N);
                kPrefix[i] = i == 0 ? k[0] : kPrefix[i - 1].multiply(k[i]).mod(N);
            }
            BigInteger kInv = kPrefix[n - 1].modInverse(N);
            byte[][] out = new byte[n][];
            for (int i = n - 1; i >= 0; i--) {
                BigInteger ki = i == 0 ? kInv : kInv.multiply(kPrefix[i - 1]).mod(N);
                kInv = kInv.multiply(k[i]).mod(N);
                BigInteger s = ki.multiply(e[i].add(r[i].multiply(d))).mod(N);
                if (r[i].signum() == 0 || s.signum() == 0) {
                    // probability ~2^-256 per signature; a fresh k is drawn on retry
                    out[i] = sign(inputs.get(i));
                    continue;
                }
                byte[] rs = new byte[64];
                System.arraycopy(fixed32(r[i]), 0, rs, 0, 32);
                System.arraycopy(fixed32(s), 0, rs, 32, 32);
                out[i] = rs;
            }
            return Arrays.asList(out);
        }

        static byte[] fixed32(BigInteger v) {
            byte[] b = v.toByteArray(); // big-endian, maybe with a leading sign byte
            byte[] out = new byte[32];
            int n = Math.min(b.length, 32);
            System.arraycopy(b, b.length - n, out, 32 - n, n);
            return out;
        }

        /** Per-thread state: the Jacobian accumulator (X, Y, Z), scratch, digest and RNG. */
        static final class Ctx {
            final long[] x = new long[LIMBS], y = new long[LIMBS], z = new long[LIMBS];
            final long[] t = new long[2 * LIMBS + 1];
            final long[] z1z1 = new long[LIMBS], u2 = new long[LIMBS], s2 = new long[LIMBS], h = new long[LIMBS],
                    hh = new long[LIMBS], i4 = new long[LIMBS], j = new long[LIMBS], rr = new long[LIMBS],
                    v = new long[LIMBS], x3 = new long[LIMBS], y3 = new long[LIMBS], t1 = new long[LIMBS],
                    t2 = new long[LIMBS];
            final long[] ax = new long[LIMBS], ay = new long[LIMBS];
            final MessageDigest sha256;
            final SecureRandom random = new SecureRandom();

            Ctx() {
                try {
                    sha256 = MessageDigest.getInstance("SHA-256");
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException(e);
                }
            }

            void setInfinity() {
                Arrays.fill(x, 0);
                Arrays.fill(y, 0);
                Arrays.fill(z, 0);
                System.arraycopy(ONE_M, 0, x, 0, LIMBS);
                System.arraycopy(ONE_M, 0, y, 0, LIMBS);
            }

            /** (x, y, z) += affine point (px, py at off); madd-2007-bl, falling back to doubling. */
            void madd(long[] px, long[] py, int off) {
                if (isZero(z)) {
                    System.arraycopy(px, off, x, 0, LIMBS);
                    System.arraycopy(py, off, y, 0, LIMBS);
                    System.arraycopy(ONE_M, 0, z, 0, LIMBS);
                    return;
                }
                System.arraycopy(px, off, ax, 0, LIMBS);
                System.arraycopy(py, off, ay, 0, LIMBS);
                mul(z, z, z1z1);              // Z1Z1 = Z1^2
                mul(ax, z1z1, u2);            // U2 = X2*Z1Z1
                mul(ay, z, s2);
                mul(s2, z1z1, s2);            // S2 = Y2*Z1*Z1Z1
                sub(u2, x, h);                // H = U2-X1
                sub(s2, y, rr);               // S2-Y1
                if (isZero(h)) {
                    if (isZero(rr)) {
                        dbl();                // same point
                    } else {
                        Arrays.fill(z, 0);    // P + (-P)
                    }
                    return;
                }
                mul(h, h, hh);                // HH = H^2
                add(hh, hh, i4);
                add(i4, i4, i4);              // I = 4*HH
                mul(h, i4, j);                // J = H*I
                add(rr, rr, rr);              // r = 2*(S2-Y1)
                mul(x, i4, v);                // V = X1*I
                mul(rr, rr, x3);
                sub(x3, j, x3);
                sub(x3, v, x3);
                sub(x3, v, x3);               // X3 = r^2-J-2*V
                sub(v, x3, t1);
                mul(rr, t1, t1);
                mul(y, j, t2);
                add(t2, t2, t2);
                sub(t1, t2, y3);              // Y3 = r*(V-X3)-2*Y1*J
                add(z, h, t1);
                mul(t1, t1, t1);
                sub(t1, z1z1, t1);
                sub(t1, hh, z);               // Z3 = (Z1+H)^2-Z1Z1-HH
                System.arraycopy(x3, 0, x, 0, LIMBS);
                System.arraycopy(y3, 0, y, 0, LIMBS);
            }

            /** (x, y, z) = 2 (x, y, z); dbl-2001-b (a = -3). */
            void dbl() {
                long[] delta = z1z1, gamma = hh, beta = v, alpha = rr;
                mul(z, z, delta);             // delta = Z1^2
                mul(y, y, gamma);             // gamma = Y1^2
                mul(x, gamma, beta);          // beta = X1*gamma
                sub(x, delta, t1);
                add(x, delta, t2);
                mul(t1, t2, alpha);
                add(alpha, alpha, t1);
                add(t1, alpha, alpha);        // alpha = 3*(X1-delta)*(X1+delta)
                add(y, z, t1);
                mul(t1, t1, t1);
                sub(t1, gamma, t1);
                sub(t1, delta, z);            // Z3 = (Y1+Z1)^2-gamma-delta
                add(beta, beta, t2);
                add(t2, t2, t2);              // 4*beta
                mul(alpha, alpha, x3);
                sub(x3, t2, x3);
                sub(x3, t2, x);               // X3 = alpha^2-8*beta
                sub(t2, x, t1);
                mul(alpha, t1, t1);
                mul(gamma, gamma, t2);
                add(t2, t2, t2);
                add(t2, t2, t2);
                add(t2, t2, t2);              // 8*gamma^2
                sub(t1, t2, y);               // Y3 = alpha*(4*beta-X3)-8*gamma^2
            }

            /**
             * r = a*b/2^256 mod p (Montgomery); r may alias a or b. The 16-word product is reduced
             * one word at a time without multiplications: p = 2^256 - 2^224 + 2^192 + 2^96 - 1, so
             * -1/p = 1 mod 2^32 and adding m*p for m = the low word only adds or subtracts m at
             * words +3, +6, +7 and +8. Words are signed longs with lazy carries (all stay far
             * below 2^62); the result is normalized at the end.
             */
            void mul(long[] a, long[] b, long[] r) {
                long[] t = this.t;
                Arrays.fill(t, 0);
                for (int i = 0; i < LIMBS; i++) {
                    long ai = a[i];
                    for (int k = 0; k < LIMBS; k++) {
                        long p = ai * b[k]; // the unsigned 64-bit product
                        t[i + k] += p & MASK;
                        t[i + k + 1] += p >>> 32;
                    }
                }
                for (int i = 0; i < LIMBS; i++) {
                    long m = t[i] & MASK;
                    t[i + 1] += (t[i] - m) >> 32; // t[i] + m*(-1) leaves only a carry
                    t[i + 3] += m;
                    t[i + 6] += m;
                    t[i + 7] -= m;
                    t[i + 8] += m;
                }
                long c = 0;
                for (int k = 0; k < LIMBS; k++) {
                    long u = t[k + LIMBS] + c;
                    r[k] = u & MASK;
                    c = u >> 32;
                }
                // the value is below 2p: c is 0 or 1
                if (c != 0 || !less(r, PW)) subP(r, r);
            }

            static boolean isZero(long[] a) {
                long acc = 0;
                for (int i = 0; i < LIMBS; i++) acc |= a[i];
                return acc == 0;
            }

            /** a < b over the low LIMBS words */
            static boolean less(long[] a, long[] b) {
                for (int i = LIMBS - 1; i >= 0; i--) {
                    if (a[i] != b[i]) return a[i] < b[i];
                }
                return false;
            }

            /** r = a - p over the low LIMBS words (the caller knows a >= p, borrow out ignored). */
            static void subP(long[] a, long[] r) {
                long borrow = 0;
                for (int i = 0; i < LIMBS; i++) {
                    long u = a[i] - PW[i] - borrow;
                    r[i] = u & MASK;
                    borrow = u >>> 63;
                }
            }

            /** r = a + b mod p */
            static void add(long[] a, long[] b, long[] r) {
                long c = 0;
                for (int i = 0; i < LIMBS; i++) {
                    long u = a[i] + b[i] + c;
                    r[i] = u & MASK;
                    c = u >>> 32;
                }
                if (c != 0 || !less(r, PW)) subP(r, r);
            }

            /** r = a - b mod p */
            static void sub(long[] a, long[] b, long[] r) {
                long borrow = 0;
                for (int i = 0; i < LIMBS; i++) {
                    long u = a[i] - b[i] - borrow;
                    r[i] = u & MASK;
                    borrow = u >>> 63;
                }
                if (borrow != 0) {
                    long c = 0;
                    for (int i = 0; i < LIMBS; i++) {
                        long u = r[i] + PW[i] + c;
                        r[i] = u & MASK;
                        c = u >>> 32;
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ verify

    static int verify(String[] args) throws Exception {
        String pub = null;
        String issuer = null;
        String token = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--pub": pub = value(args, ++i, "--pub"); break;
                case "--issuer": issuer = value(args, ++i, "--issuer"); break;
                default:
                    if (token != null || args[i].startsWith("--")) throw new UsageException("unexpected argument: " + args[i]);
                    token = args[i];
            }
        }
        if (pub == null || token == null) throw new UsageException("verify needs --pub <public.pem> and a token");
        PublicKey key = readPublicKey(Path.of(pub));
        String[] parts = token.strip().split("\\.", -1);
        if (parts.length != 3) return invalid("not a compact JWS (expected 3 dot-separated parts)");
        Map<String, Object> header;
        String claimsJson;
        byte[] rs;
        try {
            header = asObject(Json.parse(new String(B64URL_DEC.decode(parts[0]), StandardCharsets.UTF_8)), "header");
            claimsJson = new String(B64URL_DEC.decode(parts[1]), StandardCharsets.UTF_8);
            rs = B64URL_DEC.decode(parts[2]);
        } catch (IllegalArgumentException e) {
            return invalid("malformed token: " + e.getMessage());
        }
        if (!"ES256".equals(header.get("alg"))) return invalid("alg is " + header.get("alg") + ", expected ES256");
        if (rs.length != 64) return invalid("signature is " + rs.length + " bytes, expected 64 (JOSE R||S)");
        Signature sig = Signature.getInstance(ALG);
        sig.initVerify(key);
        sig.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        boolean ok;
        try {
            ok = sig.verify(rs);
        } catch (java.security.SignatureException e) {
            ok = false;
        }
        if (!ok) return invalid("bad signature");
        Map<String, Object> claims;
        try {
            claims = asObject(Json.parse(claimsJson), "claims");
        } catch (IllegalArgumentException e) {
            return invalid("claims are not a JSON object: " + e.getMessage());
        }
        System.out.write(claimsJson.getBytes(StandardCharsets.UTF_8)); // as signed, whatever the locale
        System.out.write('\n');
        System.out.flush();
        if (!(claims.get("exp") instanceof Number)) return invalid("no numeric exp claim");
        long now = System.currentTimeMillis() / 1000;
        long exp = ((Number) claims.get("exp")).longValue();
        if (now >= exp) return invalid("expired " + (now - exp) + " s ago");
        if (issuer != null && !issuer.equals(claims.get("iss"))) {
            return invalid("iss is " + claims.get("iss") + ", expected " + issuer);
        }
        return 0;
    }

    static int invalid(String why) {
        System.err.println("TokenTool: INVALID token: " + why);
        return 1;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asObject(Object o, String what) {
        if (!(o instanceof Map)) throw new IllegalArgumentException(what + " is not a JSON object");
        return (Map<String, Object>) o;
    }

    // ------------------------------------------------------------------ selftest

    static int selftest(String[] args) throws Exception {
        if (args.length > 1) throw new UsageException("selftest takes at most a count");
        long count = args.length == 1 ? positiveLong(args[0], "selftest COUNT") : 1000;
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec("secp256r1"));
        int keys = 0;
        long signed = 0;
        long signNanos = 0;
        long t0 = System.nanoTime();
        while (signed < count) {
            KeyPair pair = gen.generateKeyPair();
            keys++;
            FastEs256 fast = new FastEs256((ECPrivateKey) pair.getPrivate());
            if (!fast.publicKey().equals(pair.getPublic())) {
                System.err.println("TokenTool: selftest FAILED: d*G differs from the JDK's public key");
                return 1;
            }
            int n = (int) Math.min(CHUNK, count - signed);
            List<String> inputs = new ArrayList<>(n);
            for (int i = 0; i < n; i++) inputs.add("selftest." + keys + "." + i + "." + UUID.randomUUID());
            long s0 = System.nanoTime();
            List<byte[]> sigs = fast.sign(inputs);
            signNanos += System.nanoTime() - s0;
            for (int i = 0; i < n; i++) {
                if (!jcaVerify(pair.getPublic(), inputs.get(i), sigs.get(i))
                        || jcaVerify(pair.getPublic(), inputs.get(i) + "x", sigs.get(i))) {
                    System.err.println("TokenTool: selftest FAILED: signature " + (signed + i + 1) + " is wrong");
                    return 1;
                }
            }
            signed += n;
        }
        System.err.printf("TokenTool: selftest OK: %d signatures with %d keys verified by the JDK "
                + "(fast signing %.1f us each; %.1f s in all)%n",
                signed, keys, signNanos / 1e3 / signed, (System.nanoTime() - t0) / 1e9);
        return 0;
    }

    // ------------------------------------------------------------------ helpers

    static String value(String[] args, int i, String option) throws UsageException {
        if (i >= args.length) throw new UsageException(option + " needs a value");
        return args[i];
    }

    static long positiveLong(String s, String option) throws UsageException {
        try {
            long v = Long.parseLong(s);
            if (v > 0) return v;
        } catch (NumberFormatException e) {
            // below
        }
        throw new UsageException(option + " needs a positive integer, got '" + s + "'");
    }

    /** A JSON string literal; escapes quotes, backslashes, control characters and lone surrogates. */
    static String jsonString(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                case '\b': sb.append("\\b"); break;
                case '\f': sb.append("\\f"); break;
                default:
                    boolean lone = Character.isHighSurrogate(c)
                            ? !(i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1)))
                            : Character.isLowSurrogate(c) && !(i > 0 && Character.isHighSurrogate(s.charAt(i - 1)));
                    if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029' || lone) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        return sb.append('"').toString();
    }

    /** Minimal strict JSON parser (objects, arrays, strings, numbers, booleans, null) for verify. */
    static final class Json {
        final String s;
        int i;

        Json(String s) {
            this.s = s;
        }

        static Object parse(String s) {
            Json p = new Json(s);
            Object v = p.value();
            p.ws();
            if (p.i != s.length()) throw p.error("trailing characters");
            return v;
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException("JSON: " + what + " at offset " + i);
        }

        void ws() {
            while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) i++;
        }

        char peek() {
            if (i >= s.length()) throw error("unexpected end");
            return s.charAt(i);
        }

        void expect(char c) {
            if (peek() != c) throw error("expected '" + c + "'");
            i++;
        }

        Object value() {
            ws();
            char c = peek();
            if (c == '{') {
                i++;
                Map<String, Object> m = new LinkedHashMap<>();
                ws();
                if (peek() == '}') { i++; return m; }
                while (true) {
                    ws();
                    String k = string();
                    ws();
                    expect(':');
                    if (m.put(k, value()) != null) throw error("duplicate member " + k);
                    ws();
                    if (peek() == ',') { i++; continue; }
                    expect('}');
                    return m;
                }
            }
            if (c == '[') {
                i++;
                List<Object> l = new ArrayList<>();
                ws();
                if (peek() == ']') { i++; return l; }
                while (true) {
                    l.add(value());
                    ws();
                    if (peek() == ',') { i++; continue; }
                    expect(']');
                    return l;
                }
            }
            if (c == '"') return string();
            if (s.startsWith("true", i)) { i += 4; return Boolean.TRUE; }
            if (s.startsWith("false", i)) { i += 5; return Boolean.FALSE; }
            if (s.startsWith("null", i)) { i += 4; return null; }
            int start = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
            String num = s.substring(start, i);
            if (!num.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?")) throw error("bad value");
            return num.matches("-?[0-9]+") && num.length() < 19 ? (Object) Long.parseLong(num) : (Object) Double.parseDouble(num);
        }

        String string() {
            expect('"');
            StringBuilder sb = new StringBuilder();
            while (true) {
                char c = peek();
                i++;
                if (c == '"') return sb.toString();
                if (c < 0x20) throw error("control character in string");
                if (c != '\\') { sb.append(c); continue; }
                char e = peek();
                i++;
                switch (e) {
                    case '"': case '\\': case '/': sb.append(e); break;
                    case 'b': sb.append('\b'); break;
                    case 'f': sb.append('\f'); break;
                    case 'n': sb.append('\n'); break;
                    case 'r': sb.append('\r'); break;
                    case 't': sb.append('\t'); break;
                    case 'u':
                        if (i + 4 > s.length() || !s.substring(i, i + 4).matches("[0-9a-fA-F]{4}")) {
                            throw error("bad \\u escape");
                        }
                        sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                        break;
                    default: throw error("bad escape \\" + e);
                }
            }
        }
    }
}
