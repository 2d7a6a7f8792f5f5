package io.flashsale.purchase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The console's latency buckets and percentiles (plain unit test, no Quarkus). */
class LatencyHistogramTests {

    @Test
    void everyValueFallsIntoABucketAtMostAQuarterWide() {
        for (long micros = 0; micros < 5_000_000; micros = micros < 100 ? micros + 1 : micros * 11 / 10) {
            int bucket = LatencyHistogram.bucket(micros);
            long upper = LatencyHistogram.upperBoundMicros(bucket);
            long lower = LatencyHistogram.lowerBoundMicros(bucket);
            assertTrue(lower <= micros && micros < upper, micros + " us not in [" + lower + ", " + upper + ")");
            assertTrue(upper - lower <= Math.max(1, lower / 4), "bucket " + bucket + " too wide: " + lower + ".." + upper);
        }
        for (int bucket = 1; bucket < LatencyHistogram.BUCKETS; bucket++) {
            assertEquals(LatencyHistogram.upperBoundMicros(bucket - 1), LatencyHistogram.lowerBoundMicros(bucket),
                    "buckets " + (bucket - 1) + " and " + bucket + " leave no gap");
        }
        assertEquals(LatencyHistogram.BUCKETS - 1, LatencyHistogram.bucket(Long.MAX_VALUE / 1000));
    }

    @Test
    void percentilesOfAnIntervalAreTheUpperBoundsOfTheirBuckets() {
        LatencyHistogram histogram = new LatencyHistogram();
        for (int i = 0; i < 90; i++) {
            histogram.record(1_000_000); // 1 ms
        }
        long[] before = histogram.snapshot();
        for (int i = 0; i < 98; i++) {
            histogram.record(2_000_000); // 2 ms
        }
        histogram.record(50_000_000);
        histogram.record(80_000_000);
        long[] interval = LatencyHistogram.between(before, histogram.snapshot());
        // only the 100 answers after the first snapshot count: 98 x 2 ms, 50 ms, 80 ms
        double p50 = LatencyHistogram.percentileMillis(interval, 0.50);
        double p99 = LatencyHistogram.percentileMillis(interval, 0.99);
        assertTrue(p50 > 2.0 && p50 <= 2.5, "p50 " + p50);
        assertTrue(p99 > 50.0 && p99 <= 62.5, "p99 " + p99);
        assertTrue(LatencyHistogram.percentileMillis(interval, 1.0) > 80.0);
        assertNull(LatencyHistogram.percentileMillis(LatencyHistogram.between(histogram.snapshot(), histogram.snapshot()), 0.5));
    }
}
