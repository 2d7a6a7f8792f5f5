package io.flashsale.purchase;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What this instance answered per sale, for the operator console: answers counted by
 * {@code "<status> <code>"} (e.g. {@code 409 SOLD_OUT}) and the latency of each answer, from the
 * moment the purchase reached the service to its answer. Per sale (the Prometheus counter
 * {@code flashsale_purchases_total} is per status only: a sale id label would grow without bound)
 * and in memory only: each instance counts what it answered; a sale idle for an hour is dropped.
 */
@ApplicationScoped
public class PurchaseActivity {

    private static final Duration IDLE = Duration.ofHours(1);
    private static final int MAX_SALES = 1_000;

    /** Cumulative figures of one sale on this instance. */
    public record Totals(Map<String, Long> answers, long[] latencyMicrosBuckets) {
    }

    private static final class SaleActivity {
        final Map<String, LongAdder> answers = new ConcurrentHashMap<>();
        final LatencyHistogram latency = new LatencyHistogram();
    }

    private final Cache<Long, SaleActivity> sales = Caffeine.newBuilder()
            .expireAfterAccess(IDLE).maximumSize(MAX_SALES).build();
    /** Labels built once per (status, code), not per answer. */
    private final Map<String, String> labels = new ConcurrentHashMap<>();

    public void record(long saleId, PurchaseAnswer answer, long nanos) {
        SaleActivity sale = sales.get(saleId, id -> new SaleActivity());
        String label = labels.computeIfAbsent(answer.code(), code -> answer.status() + " " + code);
        sale.answers.computeIfAbsent(label, l -> new LongAdder()).increment();
        sale.latency.record(nanos);
    }

    public Optional<Totals> totals(long saleId) {
        SaleActivity sale = sales.getIfPresent(saleId);
        if (sale == null) {
            return Optional.empty();
        }
        Map<String, Long> answers = new TreeMap<>();
        sale.answers.forEach((label, count) -> answers.put(label, count.sum()));
        return Optional.of(new Totals(answers, sale.latency.snapshot()));
    }
}
