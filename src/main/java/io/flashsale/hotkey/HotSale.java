package io.flashsale.hotkey;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * A sale the aggregator flags hot, as broadcast to every instance.
 *
 * @param ratePerSecond requests per second for the sale summed over the reporting instances, now
 * @param perFamily the same split by key family
 * @param instances how many instances reported the sale
 * @param peakPurchaseRate the highest summed purchase rate (with or without an Idempotency-Key) since the sale
 *        turned hot: the load on its stock keys
 * @param recommendedBuckets stock buckets its next sale should have: ceil(peak purchase rate / shard budget), at least 1
 * @param firstAboveMillis the sending clock of the report that took the sale over the threshold
 * @param hotSinceMillis the aggregator's clock when it flagged the sale
 */
public record HotSale(long saleId, double ratePerSecond, Map<KeyFamily, Double> perFamily, int instances,
        double peakPurchaseRate, int recommendedBuckets, long firstAboveMillis, long hotSinceMillis) {

    public HotSale {
        perFamily = Collections.unmodifiableMap(perFamily.isEmpty() ? new EnumMap<>(KeyFamily.class)
                : new EnumMap<>(perFamily));
    }
}
