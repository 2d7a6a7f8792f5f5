package io.flashsale.sale.lua;

import io.flashsale.common.LuaScript;
import io.flashsale.sale.SaleKeys;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import java.util.List;

/**
 * The Java side of {@code release_or_promote.lua} (one-bucket sales): free the unit of an order
 * that will not be paid and hand it to the waitlist head, or back to open sale.
 */
public final class ReleaseOrPromoteScript {

    private static final LuaScript SCRIPT = LuaScript.load("release_or_promote");

    private ReleaseOrPromoteScript() {
    }

    /** ARGV, in the script's order. {@code promotedOrderId}: the order id a promoted waiter gets. */
    public record Args(long orderId, long saleId, String channel, long promotedOrderId) {

        List<String> argv() {
            return List.of(Long.toString(orderId), Long.toString(saleId), channel, Long.toString(promotedOrderId));
        }
    }

    public enum Code implements ReturnCode {
        NOTHING_TO_RELEASE(0), RELEASED(1), PROMOTED(2);

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
     * {@code availableStock} when RELEASED; {@code promotedUserId}, {@code promotedOrderId} and
     * {@code generation} (the rebuild generation the promoted order is written under) when PROMOTED.
     */
    public record Result(Code code, long availableStock, String promotedUserId, long promotedOrderId,
            long generation, boolean replicated) {

        static Result of(Response reply, boolean replicated) {
            Code code = ReturnCode.of(Code.values(), reply.get(0).toLong(), "release_or_promote");
            return switch (code) {
                case PROMOTED -> new Result(code, 0, reply.get(1).toString(), Long.parseLong(reply.get(2).toString()),
                        Long.parseLong(reply.get(3).toString()), replicated);
                case RELEASED -> new Result(code, Long.parseLong(reply.get(1).toString()), "", 0, 0, replicated);
                case NOTHING_TO_RELEASE -> new Result(code, 0, "", 0, 0, replicated);
            };
        }
    }

    /** KEYS from {@link SaleKeys#releaseOrPromoteKeys()}. */
    public static Uni<Result> run(ReactiveRedisDataSource redis, SaleKeys keys, Args args, int replicas,
            long replicaTimeoutMs) {
        return SCRIPT.runAcked(redis, keys.releaseOrPromoteKeys(), args.argv(), replicas, replicaTimeoutMs)
                .map(acked -> Result.of(acked.reply(), acked.replicated()));
    }
}
