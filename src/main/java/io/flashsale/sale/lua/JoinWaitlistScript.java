package io.flashsale.sale.lua;

import io.flashsale.common.LuaScript;
import io.flashsale.sale.SaleKeys;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import java.util.List;

/**
 * The Java side of {@code join_waitlist.lua}: a buyer of a sale with buckets found every bucket
 * empty and joins the hub's waitlist. The codes are purchase.lua's for the same outcomes.
 */
public final class JoinWaitlistScript {

    private static final LuaScript SCRIPT = LuaScript.load("join_waitlist");

    private JoinWaitlistScript() {
    }

    /** ARGV, in the script's order. */
    public record Args(String userId, int waitlistCapacity) {

        List<String> argv() {
            return List.of(userId, Integer.toString(waitlistCapacity));
        }
    }

    public enum Code implements ReturnCode {
        WAITLISTED(-6), WAITLIST_FULL(-7);

        private final int value;

        Code(int value) {
            this.value = value;
        }

        @Override
        public int value() {
            return value;
        }
    }

    /** {@code waitlistPosition} (1-based) and {@code waitlistLength} when WAITLISTED. */
    public record Result(Code code, long waitlistPosition, long waitlistLength) {

        static Result of(Response reply) {
            Code code = ReturnCode.of(Code.values(), reply.get(0).toLong(), "join_waitlist");
            return code == Code.WAITLISTED
                    ? new Result(code, Long.parseLong(reply.get(1).toString()), Long.parseLong(reply.get(2).toString()))
                    : new Result(code, 0, 0);
        }
    }

    /** KEYS from {@link SaleKeys#waitlistJoinKeys()} (the hub). */
    public static Uni<Result> run(ReactiveRedisDataSource redis, SaleKeys keys, Args args) {
        return SCRIPT.run(redis, keys.waitlistJoinKeys(), args.argv()).map(Result::of);
    }
}
