package io.flashsale.sale.lua;

import io.flashsale.common.LuaScript;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import java.util.List;

/**
 * The Java side of {@code bucket_unregister.lua}: drop a userId -> orderId entry if it still
 * points at that order. KEYS[1] is a home bucket's {@code SaleKeys.Bucket#buyers()} or the hub's
 * {@code SaleKeys#promoted()}.
 */
public final class BucketUnregisterScript {

    private static final LuaScript SCRIPT = LuaScript.load("bucket_unregister");

    private BucketUnregisterScript() {
    }

    /** ARGV, in the script's order. */
    public record Args(String userId, long orderId) {

        List<String> argv() {
            return List.of(userId, Long.toString(orderId));
        }
    }

    public enum Code implements ReturnCode {
        LEFT_ALONE(0), REMOVED(1);

        private final int value;

        Code(int value) {
            this.value = value;
        }

        @Override
        public int value() {
            return value;
        }
    }

    public record Result(Code code, boolean replicated) {
    }

    public static Uni<Result> run(ReactiveRedisDataSource redis, String userToOrderHash, Args args, int replicas,
            long replicaTimeoutMs) {
        return SCRIPT.runAcked(redis, List.of(userToOrderHash), args.argv(), replicas, replicaTimeoutMs)
                .map(acked -> new Result(ReturnCode.of(Code.values(), acked.reply().toLong(), "bucket_unregister"),
                        acked.replicated()));
    }
}
