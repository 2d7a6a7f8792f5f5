package io.flashsale.sale.lua;

import io.flashsale.common.LuaScript;
import io.flashsale.sale.SaleKeys;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import java.util.List;

/** The Java side of {@code leave_waitlist.lua}: a buyer leaves the waitlist (idempotent). */
public final class LeaveWaitlistScript {

    private static final LuaScript SCRIPT = LuaScript.load("leave_waitlist");

    private LeaveWaitlistScript() {
    }

    /** ARGV, in the script's order. */
    public record Args(String userId, long saleId, String channel) {

        List<String> argv() {
            return List.of(userId, Long.toString(saleId), channel);
        }
    }

    public enum Code implements ReturnCode {
        WAS_NOT_WAITING(0), LEFT(1);

        private final int value;

        Code(int value) {
            this.value = value;
        }

        @Override
        public int value() {
            return value;
        }
    }

    /** KEYS: {@link SaleKeys#waitlist()} (the hub). */
    public static Uni<Code> run(ReactiveRedisDataSource redis, SaleKeys keys, Args args) {
        return SCRIPT.run(redis, List.of(keys.waitlist()), args.argv())
                .map(reply -> ReturnCode.of(Code.values(), reply.toLong(), "leave_waitlist"));
    }
}
