package io.flashsale.sale.lua;

import io.flashsale.common.LuaScript;
import io.flashsale.sale.SaleKeys;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import java.util.List;

/** The Java side of {@code prime_sale.lua}: load one bucket of a sale into Redis (new sale or rebuild). */
public final class PrimeSaleScript {

    private static final LuaScript SCRIPT = LuaScript.load("prime_sale");

    private PrimeSaleScript() {
    }

    /**
     * ARGV, in the script's order. {@code bucketStock}: the bucket's share of the sale's stock
     * (the whole stock with one bucket); {@code paymentTimeoutSeconds} null = service default;
     * {@code dropAtS}: unix time after which the keys may go; {@code available}: set only if the
     * stock key is absent; {@code newSale}: drop whatever Redis holds under the id;
     * {@code rebuiltEmpty}: a rebuilt bucket with no unit left starts with an odd flip count.
     */
    public record Args(long startsAtMs, long endsAtMs, long priceCents, long bucketStock,
            Integer paymentTimeoutSeconds, long dropAtS, long available, boolean newSale, long generation,
            long paid, boolean rebuiltEmpty) {

        List<String> argv() {
            return List.of(Long.toString(startsAtMs), Long.toString(endsAtMs), Long.toString(priceCents),
                    Long.toString(bucketStock), paymentTimeoutSeconds == null ? "" : paymentTimeoutSeconds.toString(),
                    Long.toString(dropAtS), Long.toString(available), newSale ? "1" : "0", Long.toString(generation),
                    Long.toString(paid), rebuiltEmpty ? "1" : "");
        }
    }

    public enum Code implements ReturnCode {
        STOCK_KEPT(0), STOCK_WRITTEN(1);

        private final int value;

        Code(int value) {
            this.value = value;
        }

        @Override
        public int value() {
            return value;
        }
    }

    /** KEYS from {@link SaleKeys.Bucket#primeKeys()}. */
    public static Uni<Code> run(ReactiveRedisDataSource redis, SaleKeys.Bucket bucket, Args args) {
        return SCRIPT.run(redis, bucket.primeKeys(), args.argv())
                .map(reply -> ReturnCode.of(Code.values(), reply.toLong(), "prime_sale"));
    }
}
