package io.flashsale.common;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A Lua script from {@code src/main/lua}, run with EVALSHA so only its 40-byte digest crosses
 * the network; on NOSCRIPT (Redis restarted or flushed its script cache) it falls back to EVAL,
 * which also re-caches it.
 */
public final class LuaScript {

    private final String name;
    private final String source;
    private final String sha;

    private LuaScript(String name, String source) {
        this.name = name;
        this.source = source;
        this.sha = sha1(source);
    }

    /** Loads {@code lua/<name>.lua} from the classpath (registered for native in application.properties). */
    public static LuaScript load(String name) {
        String path = "lua/" + name + ".lua";
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing Lua script on classpath: " + path);
            }
            return new LuaScript(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Uni<Response> run(ReactiveRedisDataSource redis, List<String> keys, List<String> args) {
        return redis.execute("EVALSHA", command(sha, keys, args))
                .onFailure(LuaScript::isNoScript)
                .recoverWithUni(() -> redis.execute("EVAL", command(source, keys, args)));
    }

    public String name() {
        return name;
    }

    private static String[] command(String scriptOrSha, List<String> keys, List<String> args) {
        List<String> parts = new ArrayList<>(2 + keys.size() + args.size());
        parts.add(scriptOrSha);
        parts.add(Integer.toString(keys.size()));
        parts.addAll(keys);
        parts.addAll(args);
        return parts.toArray(String[]::new);
    }

    private static boolean isNoScript(Throwable e) {
        return e.getMessage() != null && e.getMessage().startsWith("NOSCRIPT");
    }

    private static String sha1(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
