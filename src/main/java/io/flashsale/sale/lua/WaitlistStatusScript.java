package io.flashsale.sale.lua;

import io.flashsale.common.LuaScript;
import io.flashsale.sale.SaleKeys;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import java.util.List;

/** The Java side of {@code waitlist_status.lua}: where a buyer stands on the waitlist, read atomically. */
public final class WaitlistStatusScript {

    private static final LuaScript SCRIPT = LuaScript.load("waitlist_status");

    private WaitlistStatusScript() {
    }

    public enum Code implements ReturnCode {
        NOT_WAITING(0), PROMOTED(1), WAITING(2);

        private final int value;

        Code(int value) {
            this.value = value;
        }

        @Override
        public int value() {
            return value;
        }
    }

    /** {@code promotedOrderId} when PROMOTED; {@code position} (1-based) and {@code waitlistLength} when WAITING. */
    public record Result(Code code, long promotedOrderId, long position, long waitlistLength) {

        static Result of(Response reply) {
            Code code = ReturnCode.of(Code.values(), reply.get(0).toLong(), "waitlist_status");
            return switch (code) {
                case PROMOTED -> new Result(code, Long.parseLong(reply.get(1).toString()), 0, 0);
                case WAITING -> new Result(code, 0, Long.parseLong(reply.get(1).toString()),
                        Long.parseLong(reply.get(2).toString()));
                case NOT_WAITING -> new Result(code, 0, 0, 0);
            };
        }
    }

    /** KEYS from {@link SaleKeys#waitlistStatusKeys()}; ARGV[1] the buyer. */
    public static Uni<Result> run(ReactiveRedisDataSource redis, SaleKeys keys, String userId) {
        return SCRIPT.run(redis, keys.waitlistStatusKeys(), List.of(userId)).map(Result::of);
    }
}
