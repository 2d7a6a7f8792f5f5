package io.flashsale.sale.lua;

import io.flashsale.common.LuaScript;
import io.flashsale.sale.SaleKeys;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import java.util.List;

/**
 * The Java side of {@code claim_idempotency_key.lua}: claim a buyer's Idempotency-Key for a
 * purchase, or get the answer already stored under it.
 */
public final class ClaimIdempotencyKeyScript {

    private static final LuaScript SCRIPT = LuaScript.load("claim_idempotency_key");

    private ClaimIdempotencyKeyScript() {
    }

    /** ARGV, in the script's order (besides the two keys, which name the buyer). */
    public record Args(String idempotencyKey, long leaseMs, int keysPerBuyer, long answerTtlMs) {

        List<String> argv() {
            return List.of(idempotencyKey, Long.toString(leaseMs), Integer.toString(keysPerBuyer),
                    Long.toString(answerTtlMs));
        }
    }

    public enum Code implements ReturnCode {
        TOO_MANY_KEYS(0), CLAIMED(1), CLAIMED_BEFORE(2);

        private final int value;

        Code(int value) {
            this.value = value;
        }

        @Override
        public int value() {
            return value;
        }
    }

    /** {@code stored}: when CLAIMED_BEFORE, IN_PROGRESS or the first request's rendered answer. */
    public record Result(Code code, String stored) {

        static Result of(Response reply) {
            return new Result(ReturnCode.of(Code.values(), reply.get(0).toLong(), "claim_idempotency_key"),
                    reply.get(1).toString());
        }
    }

    /** KEYS from {@link SaleKeys#idempotencyClaimKeys}. */
    public static Uni<Result> run(ReactiveRedisDataSource redis, SaleKeys keys, String userId, Args args) {
        return SCRIPT.run(redis, keys.idempotencyClaimKeys(userId, args.idempotencyKey()), args.argv())
                .map(Result::of);
    }
}
