package io.flashsale.hotkey;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This instance's requests per sale and key family over the last second. Counting is in memory
 * only (a map lookup and a {@link java.util.concurrent.atomic.LongAdder} increment): nothing on
 * the request path waits for I/O. It counts demand (requests addressing a sale's keys), not Redis
 * commands: a hot sale's reads are then served from memory, and counting only what still reached
 * Redis would make the sale look cold again and flap.
 */
@ApplicationScoped
public class AccessCounters {

    /** Distinct sales tracked at once; requests for random ids must not grow the map without bound. */
    static final int MAX_SALES = 100_000;

    private final Clock clock;
    private final ConcurrentHashMap<Long, SlidingWindowCounter[]> sales = new ConcurrentHashMap<>();

    public AccessCounters(Clock clock) {
        this.clock = clock;
    }

    public void count(long saleId, KeyFamily family) {
        long now = clock.millis();
        SlidingWindowCounter[] counters = sales.get(saleId);
        if (counters == null) {
            if (sales.size() >= MAX_SALES) {
                return;
            }
            counters = sales.computeIfAbsent(saleId, id -> newCounters(now));
        }
        counters[family.ordinal()].increment(now);
    }

    /** The {@code limit} busiest sales now, busiest first; sales idle for a whole window are forgotten. */
    public List<SaleRates> busiest(int limit) {
        long now = clock.millis();
        List<SaleRates> rates = new ArrayList<>();
        for (Map.Entry<Long, SlidingWindowCounter[]> entry : sales.entrySet()) {
            SlidingWindowCounter[] counters = entry.getValue();
            boolean idle = true;
            Map<KeyFamily, Double> perFamily = new EnumMap<>(KeyFamily.class);
            for (KeyFamily family : KeyFamily.all()) {
                SlidingWindowCounter counter = counters[family.ordinal()];
                idle &= counter.idle(now);
                double rate = counter.ratePerSecond(now);
                if (rate > 0) {
                    perFamily.put(family, rate);
                }
            }
            if (idle) {
                sales.remove(entry.getKey(), counters);
            } else if (!perFamily.isEmpty()) {
                rates.add(new SaleRates(entry.getKey(), perFamily));
            }
        }
        rates.sort(Comparator.comparingDouble(SaleRates::total).reversed());
        return rates.size() > limit ? List.copyOf(rates.subList(0, limit)) : rates;
    }

    private static SlidingWindowCounter[] newCounters(long now) {
        SlidingWindowCounter[] counters = new SlidingWindowCounter[KeyFamily.all().length];
        for (int i = 0; i < counters.length; i++) {
            counters[i] = new SlidingWindowCounter(now);
        }
        return counters;
    }
}
