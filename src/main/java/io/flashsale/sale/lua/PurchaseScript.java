package io.flashsale.sale.lua;

import io.flashsale.common.LuaScript;
import io.flashsale.sale.SaleKeys;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import java.util.List;

/**
 * The Java side of {@code purchase.lua} (one-bucket sales): reserve one unit for one buyer. The
 * script's header documents KEYS, ARGV and return codes; this class is their only Java mirror, so a
 * change to one is a change to both (LuaContractTests runs every code on the real Redis).
 */
public final class PurchaseScript {

    private static final LuaScript SCRIPT = LuaScript.load("purchase");

    private PurchaseScript() {
    }

    /** ARGV, in the script's order. */
    public record Args(String userId, long orderId, long saleId, String channel, boolean joinWaitlist,
            int waitlistCapacity) {

        List<String> argv() {
            return List.of(userId, Long.toString(orderId), Long.toString(saleId), channel, joinWaitlist ? "1" : "0",
                    Integer.toString(waitlistCapacity));
        }
    }

    /** The script's return codes (first reply slot). */
    public enum Code implements ReturnCode {
        RESERVED(1), NOT_PRIMED(-1), NOT_STARTED(-2), ENDED(-3), ALREADY_PURCHASED(-4), SOLD_OUT(-5),
        WAITLISTED(-6), WAITLIST_FULL(-7), ORDER_ID_TAKEN(-8);

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
     * The reply, by name. Each field is meaningful for one code only (0 otherwise):
     * {@code remainingStock} and {@code generation} (the rebuild generation the order is written
     * under) for RESERVED, {@code existingOrderId} for ALREADY_PURCHASED, {@code waitlistPosition}
     * (1-based) and {@code waitlistLength} for WAITLISTED. {@code replicated}: the writes reached
     * the replicas asked for (always true when none are).
     */
    public record Result(Code code, long remainingStock, long generation, long existingOrderId,
            long waitlistPosition, long waitlistLength, boolean replicated) {

        static Result of(Response reply, boolean replicated) {
            Code code = ReturnCode.of(Code.values(), reply.get(0).toLong(), "purchase");
            return switch (code) {
                case RESERVED -> new Result(code, Long.parseLong(reply.get(1).toString()),
                        Long.parseLong(reply.get(2).toString()), 0, 0, 0, replicated);
                case ALREADY_PURCHASED -> new Result(code, 0, 0, Long.parseLong(reply.get(1).toString()), 0, 0,
                        replicated);
                case WAITLISTED -> new Result(code, 0, 0, 0, Long.parseLong(reply.get(1).toString()),
                        reply.get(2).toLong(), replicated);
                default -> new Result(code, 0, 0, 0, 0, 0, replicated);
            };
        }
    }

    /** KEYS from {@link SaleKeys#purchaseKeys()}; EVALSHA, then WAIT for {@code replicas} in one pipeline. */
    public static Uni<Result> run(ReactiveRedisDataSource redis, SaleKeys keys, Args args, int replicas,
            long replicaTimeoutMs) {
        return SCRIPT.runAcked(redis, keys.purchaseKeys(), args.argv(), replicas, replicaTimeoutMs)
                .map(acked -> Result.of(acked.reply(), acked.replicated()));
    }
}
