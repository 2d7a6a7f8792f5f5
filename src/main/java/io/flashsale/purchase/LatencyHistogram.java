package io.flashsale.purchase;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Purchase latencies in log-scaled buckets (four per power of two, so a bucket is at most 25 %
 * wide), counted cumulatively: recording is one array increment on the purchase path, and a
 * reader gets the percentiles of any interval by subtracting two snapshots. Values are
 * microseconds; bucket {@code i < 4} holds exactly {@code i} µs, above that bucket
 * {@code 4(e - 1) + s} holds {@code [(4 + s) << (e - 2), (5 + s) << (e - 2))} µs, where
 * {@code e >= 2} is the value's highest bit and {@code s} its next two bits.
 */
public final class LatencyHistogram {

    /** 2^41 µs is 25 days: anything longer lands in the last bucket. */
    static final int BUCKETS = 4 * 40;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

    public void record(long nanos) {
        counts.incrementAndGet(bucket(Math.max(0, nanos / 1_000)));
    }

    /** The cumulative counts so far (a copy). */
    public long[] snapshot() {
        long[] copy = new long[BUCKETS];
        for (int i = 0; i < BUCKETS; i++) {
            copy[i] = counts.get(i);
        }
        return copy;
    }

    static int bucket(long micros) {
        if (micros < 4) {
            return (int) micros;
        }
        int exponent = 63 - Long.numberOfLeadingZeros(micros);
        int sub = (int) (micros >>> (exponent - 2)) & 3;
        return Math.min(BUCKETS - 1, (exponent - 1) * 4 + sub);
    }

    /** Inclusive lower bound of a bucket, in microseconds. */
    static long lowerBoundMicros(int bucket) {
        return bucket < 4 ? bucket : (4L + bucket % 4) << (bucket / 4 - 1);
    }

    /** Exclusive upper bound of a bucket, in microseconds. */
    static long upperBoundMicros(int bucket) {
        return bucket < 4 ? bucket + 1 : (5L + bucket % 4) << (bucket / 4 - 1);
    }

    /** Counts recorded between two snapshots of the same histogram. */
    public static long[] between(long[] earlier, long[] later) {
        long[] delta = new long[BUCKETS];
        for (int i = 0; i < BUCKETS; i++) {
            delta[i] = later[i] - (earlier == null ? 0 : earlier[i]);
        }
        return delta;
    }

    /**
     * The {@code quantile} (0..1] of the counts, in milliseconds: the upper bound of the bucket the
     * rank falls in (so never under-reported by more than a bucket's width), or null if empty.
     */
    public static Double percentileMillis(long[] counts, double quantile) {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        if (total == 0) {
            return null;
        }
        long rank = Math.max(1, (long) Math.ceil(quantile * total));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return upperBoundMicros(i) / 1000.0;
            }
        }
        return upperBoundMicros(counts.length - 1) / 1000.0;
    }
}
