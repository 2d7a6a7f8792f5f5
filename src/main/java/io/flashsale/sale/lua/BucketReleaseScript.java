package io.flashsale.sale.lua;

import io.flashsale.common.LuaScript;
import io.flashsale.sale.SaleKeys;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import java.util.List;

/** The Java side of {@code bucket_release.lua}: give a reservation's unit back to its bucket. */
public final class BucketReleaseScript {

    private static final LuaScript SCRIPT = LuaScript.load("bucket_release");

    private BucketReleaseScript() {
    }

    /** ARGV, in the script's order. */
    public record Args(long orderId) {

        List<String> argv() {
            return List.of(Long.toString(orderId));
        }
    }

    public enum Code implements ReturnCode {
        NOTHING_TO_RELEASE(0), RELEASED(1);

        private final int value;

        Code(int value) {
            this.value = value;
        }

        @Override
        public int value() {
            return value;
        }
    }

    /**
     * When RELEASED: {@code availableStock} of the bucket, {@code flips} (null unless the bucket
     * went 0 -> 1) and {@code userId} of the released reservation.
     */
    public record Result(Code code, long availableStock, Long flips, String userId, boolean replicated) {

        public boolean released() {
            return code == Code.RELEASED;
        }

        static Result of(Response reply, boolean replicated) {
            Code code = ReturnCode.of(Code.values(), reply.get(0).toLong(), "bucket_release");
            if (code == Code.NOTHING_TO_RELEASE) {
                return new Result(code, 0, null, "", replicated);
            }
            String flips = reply.get(2).toString();
            return new Result(code, Long.parseLong(reply.get(1).toString()),
                    flips.isEmpty() ? null : Long.parseLong(flips), reply.get(3).toString(), replicated);
        }
    }

    /** KEYS from {@link SaleKeys.Bucket#releaseKeys()} of the bucket the unit came from. */
    public static Uni<Result> run(ReactiveRedisDataSource redis, SaleKeys.Bucket bucket, Args args, int replicas,
            long replicaTimeoutMs) {
        return SCRIPT.runAcked(redis, bucket.releaseKeys(), args.argv(), replicas, replicaTimeoutMs)
                .map(acked -> Result.of(acked.reply(), acked.replicated()));
    }
}
