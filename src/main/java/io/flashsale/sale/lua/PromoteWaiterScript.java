package io.flashsale.sale.lua;

import io.flashsale.common.LuaScript;
import io.flashsale.sale.SaleKeys;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import java.util.List;

/**
 * The Java side of {@code promote_waiter.lua}: on the hub, take the buyer a unit was reserved for
 * off the waitlist and record the promotion (sales with buckets).
 */
public final class PromoteWaiterScript {

    private static final LuaScript SCRIPT = LuaScript.load("promote_waiter");

    private PromoteWaiterScript() {
    }

    /** ARGV, in the script's order. */
    public record Args(String userId, long newOrderId, long saleId, String channel) {

        List<String> argv() {
            return List.of(userId, Long.toString(newOrderId), Long.toString(saleId), channel);
        }
    }

    public enum Code implements ReturnCode {
        NO_LONGER_WAITING(0), PROMOTED(1);

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

    /** KEYS from {@link SaleKeys#promoteWaiterKeys()} (the hub). */
    public static Uni<Result> run(ReactiveRedisDataSource redis, SaleKeys keys, Args args, int replicas,
            long replicaTimeoutMs) {
        return SCRIPT.runAcked(redis, keys.promoteWaiterKeys(), args.argv(), replicas, replicaTimeoutMs)
                .map(acked -> new Result(ReturnCode.of(Code.values(), acked.reply().toLong(), "promote_waiter"),
                        acked.replicated()));
    }
}
