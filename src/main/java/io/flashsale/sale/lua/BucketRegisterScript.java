package io.flashsale.sale.lua;

import io.flashsale.common.LuaScript;
import io.flashsale.sale.SaleKeys;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import java.util.List;

/** The Java side of {@code bucket_register.lua}: record a buyer in their home bucket's registry. */
public final class BucketRegisterScript {

    private static final LuaScript SCRIPT = LuaScript.load("bucket_register");

    private BucketRegisterScript() {
    }

    /** ARGV, in the script's order. */
    public record Args(String userId, long orderId) {

        List<String> argv() {
            return List.of(userId, Long.toString(orderId));
        }
    }

    public enum Code implements ReturnCode {
        REGISTERED(1), ALREADY_PURCHASED(-4);

        private final int value;

        Code(int value) {
            this.value = value;
        }

        @Override
        public int value() {
            return value;
        }
    }

    /** {@code existingOrderId}: the buyer's other active order, when ALREADY_PURCHASED (0 otherwise). */
    public record Result(Code code, long existingOrderId, boolean replicated) {

        static Result of(Response reply, boolean replicated) {
            Code code = ReturnCode.of(Code.values(), reply.get(0).toLong(), "bucket_register");
            return new Result(code, code == Code.ALREADY_PURCHASED ? Long.parseLong(reply.get(1).toString()) : 0,
                    replicated);
        }
    }

    /** KEYS from {@link SaleKeys.Bucket#registerKeys()} of the buyer's home bucket. */
    public static Uni<Result> run(ReactiveRedisDataSource redis, SaleKeys.Bucket home, Args args, int replicas,
            long replicaTimeoutMs) {
        return SCRIPT.runAcked(redis, home.registerKeys(), args.argv(), replicas, replicaTimeoutMs)
                .map(acked -> Result.of(acked.reply(), acked.replicated()));
    }
}
