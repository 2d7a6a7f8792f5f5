package io.flashsale.sale.lua;

import io.flashsale.common.LuaScript;
import io.flashsale.sale.ReservationEntry;
import io.flashsale.sale.SaleKeys;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import java.util.List;

/**
 * The Java side of {@code resolve_reservation.lua}: after a purchase whose reply never came, was
 * the unit reserved? If not, the order id is voided atomically. Used for one bucket at a time
 * (bucket 0 of a one-bucket sale, or the buyer's home bucket).
 */
public final class ResolveReservationScript {

    private static final LuaScript SCRIPT = LuaScript.load("resolve_reservation");

    private ResolveReservationScript() {
    }

    /** ARGV, in the script's order. */
    public record Args(long orderId) {

        List<String> argv() {
            return List.of(Long.toString(orderId));
        }
    }

    public enum Code implements ReturnCode {
        NOT_RESERVED_NOW_VOID(0), RESERVED(1);

        private final int value;

        Code(int value) {
            this.value = value;
        }

        @Override
        public int value() {
            return value;
        }
    }

    /** {@code reservation} and {@code generation} only when RESERVED (null / 0 otherwise). */
    public record Result(Code code, ReservationEntry reservation, long generation, boolean replicated) {

        public boolean reserved() {
            return code == Code.RESERVED;
        }

        static Result of(Response reply, boolean replicated) {
            Code code = ReturnCode.of(Code.values(), reply.get(0).toLong(), "resolve_reservation");
            return code == Code.RESERVED
                    ? new Result(code, ReservationEntry.parse(reply.get(1).toString()),
                            Long.parseLong(reply.get(2).toString()), replicated)
                    : new Result(code, null, 0, replicated);
        }
    }

    /** KEYS from {@link SaleKeys.Bucket#resolveKeys()} of the bucket that would hold the reservation. */
    public static Uni<Result> run(ReactiveRedisDataSource redis, SaleKeys.Bucket bucket, Args args, int replicas,
            long replicaTimeoutMs) {
        return SCRIPT.runAcked(redis, bucket.resolveKeys(), args.argv(), replicas, replicaTimeoutMs)
                .map(acked -> Result.of(acked.reply(), acked.replicated()));
    }
}
