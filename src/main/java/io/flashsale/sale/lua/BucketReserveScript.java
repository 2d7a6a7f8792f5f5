package io.flashsale.sale.lua;

import io.flashsale.common.LuaScript;
import io.flashsale.sale.SaleKeys;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import java.util.List;

/** The Java side of {@code bucket_reserve.lua}: reserve one unit from one stock bucket (sales with buckets > 1). */
public final class BucketReserveScript {

    private static final LuaScript SCRIPT = LuaScript.load("bucket_reserve");

    private BucketReserveScript() {
    }

    /** ARGV, in the script's order. {@code home}: the buyer's home bucket (registry checked and recorded there). */
    public record Args(String userId, long orderId, boolean home) {

        List<String> argv() {
            return List.of(userId, Long.toString(orderId), home ? "1" : "0");
        }
    }

    public enum Code implements ReturnCode {
        RESERVED(1), NOT_PRIMED(-1), NOT_STARTED(-2), ENDED(-3), ALREADY_PURCHASED(-4), BUCKET_EMPTY(-5),
        ORDER_ID_TAKEN(-8);

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
     * {@code remainingStock}, {@code generation} and {@code flips} (null unless this call emptied
     * the bucket) when RESERVED; {@code existingOrderId} when ALREADY_PURCHASED.
     */
    public record Result(Code code, long remainingStock, long generation, Long flips, long existingOrderId,
            boolean replicated) {

        static Result of(Response reply, boolean replicated) {
            Code code = ReturnCode.of(Code.values(), reply.get(0).toLong(), "bucket_reserve");
            return switch (code) {
                case RESERVED -> {
                    String flips = reply.get(3).toString();
                    yield new Result(code, Long.parseLong(reply.get(1).toString()),
                            Long.parseLong(reply.get(2).toString()), flips.isEmpty() ? null : Long.parseLong(flips),
                            0, replicated);
                }
                case ALREADY_PURCHASED -> new Result(code, 0, 0, null, Long.parseLong(reply.get(1).toString()),
                        replicated);
                default -> new Result(code, 0, 0, null, 0, replicated);
            };
        }
    }

    /** KEYS from {@link SaleKeys.Bucket#reserveKeys()}. */
    public static Uni<Result> run(ReactiveRedisDataSource redis, SaleKeys.Bucket bucket, Args args, int replicas,
            long replicaTimeoutMs) {
        return SCRIPT.runAcked(redis, bucket.reserveKeys(), args.argv(), replicas, replicaTimeoutMs)
                .map(acked -> Result.of(acked.reply(), acked.replicated()));
    }
}
