package io.flashsale.common;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
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

    /** A script's reply, and whether enough replicas acknowledged its writes. */
    public record Acked(Response reply, boolean replicated) {
    }

    /**
     * Runs the script and then {@code WAIT replicas timeoutMs} in ONE pipeline: WAIT counts the
     * replicas holding every write of its own connection, and a pipeline (batch) keeps both on
     * one connection to the node owning the keys (the cluster client routes the keyless WAIT with
     * the script's slot). With {@code replicas} 0 this is {@link #run}.
     */
    public Uni<Acked> runAcked(ReactiveRedisDataSource redis, List<String> keys, List<String> args, int replicas,
            long timeoutMs) {
        if (replicas <= 0) {
            return run(redis, keys, args).map(reply -> new Acked(reply, true));
        }
        return batch(redis, Command.EVALSHA, sha, keys, args, replicas, timeoutMs)
                .onFailure(LuaScript::isNoScript)
                .recoverWithUni(() -> batch(redis, Command.EVAL, source, keys, args, replicas, timeoutMs));
    }

    private static Uni<Acked> batch(ReactiveRedisDataSource redis, Command eval, String scriptOrSha,
            List<String> keys, List<String> args, int replicas, long timeoutMs) {
        Request script = Request.cmd(eval);
        for (String part : command(scriptOrSha, keys, args)) {
            script.arg(part);
        }
        Request wait = Request.cmd(Command.WAIT).arg(replicas).arg(timeoutMs);
        return redis.getRedis().batch(List.of(script, wait))
                .map(replies -> new Acked(replies.get(0), replies.get(1).toLong() >= replicas));
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
        // a pipelined (batch) reply carries it as "ERR [0] NOSCRIPT ..."
        return e.getMessage() != null && e.getMessage().contains("NOSCRIPT");
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
