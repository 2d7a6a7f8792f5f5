package io.flashsale.sale.lua;

import io.flashsale.common.LuaScript;
import io.flashsale.sale.SaleKeys;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import java.util.List;

/** The Java side of {@code confirm.lua}: a paid order's reservation is settled and counted as paid, once. */
public final class ConfirmScript {

    private static final LuaScript SCRIPT = LuaScript.load("confirm");

    private ConfirmScript() {
    }

    /** ARGV, in the script's order. */
    public record Args(long orderId) {

        List<String> argv() {
            return List.of(Long.toString(orderId));
        }
    }

    public enum Code implements ReturnCode {
        NOTHING_TO_CONFIRM(0), CONFIRMED(1);

        private final int value;

        Code(int value) {
            this.value = value;
        }

        @Override
        public int value() {
            return value;
        }
    }

    /** KEYS from {@link SaleKeys.Bucket#confirmKeys()} of the bucket holding the reservation. */
    public static Uni<Code> run(ReactiveRedisDataSource redis, SaleKeys.Bucket bucket, Args args) {
        return SCRIPT.run(redis, bucket.confirmKeys(), args.argv())
                .map(reply -> ReturnCode.of(Code.values(), reply.toLong(), "confirm"));
    }
}
