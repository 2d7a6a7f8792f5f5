package io.flashsale.sale.lua;

import io.flashsale.common.LuaScript;
import io.flashsale.sale.SaleKeys;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import java.util.List;

/**
 * The Java side of {@code bucket_hand_over.lua}: pass a freed reservation's unit straight to a
 * waiting buyer in the bucket it came from, without putting it back on open sale.
 */
public final class BucketHandOverScript {

    private static final LuaScript SCRIPT = LuaScript.load("bucket_hand_over");

    private BucketHandOverScript() {
    }

    /** ARGV, in the script's order. */
    public record Args(long heldOrderId, long newOrderId, String userId) {

        List<String> argv() {
            return List.of(Long.toString(heldOrderId), Long.toString(newOrderId), userId);
        }
    }

    public enum Code implements ReturnCode {
        NOT_PRIMED(-1), ENDED(-3), ORDER_ID_TAKEN(-8), NOTHING_HELD(0), HANDED_OVER(1);

        private final int value;

        Code(int value) {
            this.value = value;
        }

        @Override
        public int value() {
            return value;
        }
    }

    /** When HANDED_OVER: the bucket's rebuild {@code generation}, which the new order is written under. */
    public record Result(Code code, long generation, boolean replicated) {

        static Result of(Response reply, boolean replicated) {
            Code code = ReturnCode.of(Code.values(), reply.get(0).toLong(), "bucket_hand_over");
            return new Result(code, code == Code.HANDED_OVER ? Long.parseLong(reply.get(1).toString()) : 0,
                    replicated);
        }
    }

    /** KEYS from {@link SaleKeys.Bucket#handOverKeys()} of the bucket holding the unit. */
    public static Uni<Result> run(ReactiveRedisDataSource redis, SaleKeys.Bucket bucket, Args args, int replicas,
            long replicaTimeoutMs) {
        return SCRIPT.runAcked(redis, bucket.handOverKeys(), args.argv(), replicas, replicaTimeoutMs)
                .map(acked -> Result.of(acked.reply(), acked.replicated()));
    }
}
