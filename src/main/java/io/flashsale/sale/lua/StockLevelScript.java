package io.flashsale.sale.lua;

import io.flashsale.common.LuaScript;
import io.flashsale.sale.SaleKeys;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import java.util.List;

/**
 * The Java side of {@code stock_level.lua}: a bucket tells the hub it emptied or refilled; the
 * hub decides (and broadcasts once) whether the whole sale is sold out.
 */
public final class StockLevelScript {

    private static final LuaScript SCRIPT = LuaScript.load("stock_level");

    private StockLevelScript() {
    }

    /** ARGV, in the script's order. {@code flips}: the bucket's counter after its transition. */
    public record Args(int bucket, long flips, boolean empty, int buckets, long saleId, String channel) {

        List<String> argv() {
            return List.of(Integer.toString(bucket), Long.toString(flips), empty ? "1" : "0",
                    Integer.toString(buckets), Long.toString(saleId), channel);
        }
    }

    public enum Code implements ReturnCode {
        STALE_REPORT_IGNORED(0), RECORDED(1), PUBLISHED_SOLD_OUT(2), PUBLISHED_AVAILABLE(3);

        private final int value;

        Code(int value) {
            this.value = value;
        }

        @Override
        public int value() {
            return value;
        }
    }

    /** KEYS from {@link SaleKeys#stockLevelKeys()} (the hub). */
    public static Uni<Code> run(ReactiveRedisDataSource redis, SaleKeys keys, Args args) {
        return SCRIPT.run(redis, keys.stockLevelKeys(), args.argv())
                .map(reply -> ReturnCode.of(Code.values(), reply.toLong(), "stock_level"));
    }
}
