package io.flashsale.console;

import io.flashsale.sale.SaleState;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One second of a sale as the operator console shows it (one SSE event of
 * GET /api/ops/sales/{saleId}/live). A part the service could not read this second is null and
 * its reason is in {@code problems}: the stream goes on while a store is down.
 */
@RegisterForReflection
public record LiveSnapshot(Instant at, long saleId, String sku, String title, int stock, SaleState state,
        Units units, Purchases purchases, Writer writer, Outbox outbox, HotKeys hotKeys, List<String> problems) {

    /** The sale's units, from Redis (every instance sees the same). */
    @RegisterForReflection
    public record Units(long available, long reserved, long paid, long waitlistLength) {
    }

    /**
     * Purchase answers of this sale on this instance: per second over the last interval and in total
     * (keys {@code "<status> <code>"}, e.g. {@code "409 SOLD_OUT"}), and the latency percentiles of
     * the last interval in milliseconds (null when nothing was answered in it). A stream's first
     * snapshot has no interval yet: {@code intervalSeconds} 0 and no rates.
     */
    @RegisterForReflection
    public record Purchases(String scope, double intervalSeconds, Map<String, Double> perSecond,
            Map<String, Long> totals, Double p50Millis, Double p99Millis) {
    }

    /** The order writer of this instance: queued orders, and the batches committed in the last interval. */
    @RegisterForReflection
    public record Writer(long queued, double batchesPerSecond, Double meanBatchSize) {
    }

    /** The outbox of the whole deployment (one database). */
    @RegisterForReflection
    public record Outbox(long unpublished, long oldestUnpublishedAgeMillis, long dead) {
    }

    /**
     * Whether the deployment flags this sale hot (README "Hot keys"), as this instance last heard
     * from the worker: {@code flags} describes it in words (empty while it is not hot); the figures
     * are null while it is not hot. {@code detection} says the service runs hot-key detection.
     */
    @RegisterForReflection
    public record HotKeys(boolean detection, boolean hot, List<String> flags, Double ratePerSecond,
            Map<String, Double> perFamily, Integer recommendedBuckets, Long detectionMillis) {

        static final HotKeys NOT_HOT = new HotKeys(true, false, List.of(), null, null, null, null);
    }
}
