package io.flashsale.hotkey;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The hot sales as this instance knows them: the union of the hot sets broadcast by the workers
 * heard within {@code stale-after} (several workers may aggregate; a dead one's flags clear by
 * themselves). Reading it ({@link #isHot}) is a volatile read and a map lookup.
 * <p>
 * Signals on every instance: the gauges {@code flashsale.hotkey.hot}, {@code flashsale.hotkey.rate}
 * and {@code flashsale.hotkey.recommended.buckets} per hot sale, the timer
 * {@code flashsale.hotkey.detection.latency} (from the sending clock of the report that took the
 * sale over the threshold to this instance hearing the broadcast: two clocks, so NTP skew adds to
 * it on a multi-host deployment; a negative difference counts as 0), and an INFO line when a sale
 * turns hot or cold here.
 */
@ApplicationScoped
public class HotSet {

    private static final Logger LOG = Logger.getLogger(HotSet.class);

    /** A sale hot on this instance: what the workers said, and how long this instance took to hear it. */
    public record Flag(HotSale sale, long detectionMillis) {
    }

    private record Heard(HotSetMessage message, long receivedMillis) {
    }

    /** Gauge state per sale (Micrometer holds gauges' state weakly: kept here). */
    private static final class SaleGauges {
        volatile double hot;
        volatile double rate;
        volatile double buckets;
    }

    private final HotKeyConfig config;
    private final Clock clock;
    private final MeterRegistry meters;
    private final Timer detectionLatency;
    private final ChannelSubscription subscription;
    private final Map<String, Heard> byAggregator = new ConcurrentHashMap<>();
    private final Map<Long, SaleGauges> gauges = new ConcurrentHashMap<>();
    private volatile Map<Long, Flag> current = Map.of();
    private volatile Cancellable ticks;

    public HotSet(ReactiveRedisDataSource redis, HotKeyConfig config, Clock clock, MeterRegistry meters) {
        this.config = config;
        this.clock = clock;
        this.meters = meters;
        this.detectionLatency = Timer.builder("flashsale.hotkey.detection.latency")
                .description("from the report that took a sale over the hot threshold to this instance flagging it")
                .publishPercentiles(0.5, 0.99).register(meters);
        this.subscription = new ChannelSubscription(redis, config.hotSetChannel(), this::onMessage);
    }

    void onStart(@Observes StartupEvent event) {
        start();
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
    }

    public void start() {
        subscription.start();
        // a worker that went quiet: its flags expire even when no other message arrives
        ticks = Periodic.every(config.publishPeriod(), "hot set expiry", () -> {
            recompute();
            return Uni.createFrom().voidItem();
        });
    }

    public void stop() {
        subscription.stop();
        Cancellable running = ticks;
        if (running != null) {
            running.cancel();
        }
    }

    public boolean isHot(long saleId) {
        return current.containsKey(saleId);
    }

    public Optional<Flag> flag(long saleId) {
        return Optional.ofNullable(current.get(saleId));
    }

    public Map<Long, Flag> flags() {
        return current;
    }

    void onMessage(String text) {
        HotSetMessage message = HotKeyMessages.hotSet(text);
        if (message == null) {
            LOG.debugf("ignoring hot-set message %s", text);
            return;
        }
        Heard fresh = new Heard(message, clock.millis());
        Heard kept = byAggregator.merge(message.aggregatorId(), fresh,
                (before, now) -> now.message().sequence() > before.message().sequence() ? now : before);
        if (kept == fresh) {
            recompute();
        }
    }

    synchronized void recompute() {
        long now = clock.millis();
        long staleAfter = config.staleAfter().toMillis();
        byAggregator.values().removeIf(heard -> now - heard.receivedMillis() > staleAfter);
        Map<Long, HotSale> union = new HashMap<>();
        for (Heard heard : byAggregator.values()) {
            for (HotSale sale : heard.message().sales()) {
                union.merge(sale.saleId(), sale, (a, b) -> a.ratePerSecond() >= b.ratePerSecond() ? a : b);
            }
        }
        Map<Long, Flag> before = current;
        Map<Long, Flag> next = new HashMap<>();
        for (HotSale sale : union.values()) {
            Flag known = before.get(sale.saleId());
            long detection = known != null ? known.detectionMillis() : Math.max(0, now - sale.firstAboveMillis());
            next.put(sale.saleId(), new Flag(sale, detection));
            if (known == null) {
                turnedHot(sale, detection);
            }
            SaleGauges g = gauges(sale.saleId());
            g.hot = 1;
            g.rate = sale.ratePerSecond();
            g.buckets = sale.recommendedBuckets();
        }
        for (Flag gone : before.values()) {
            if (!next.containsKey(gone.sale().saleId())) {
                SaleGauges g = gauges(gone.sale().saleId());
                g.hot = 0;
                g.rate = 0;
                LOG.infof("sale %d is no longer hot on this instance (it was hot for %d s here; next sale of it: %d"
                        + " stock bucket(s))", gone.sale().saleId(),
                        (now - gone.sale().hotSinceMillis()) / 1000, gone.sale().recommendedBuckets());
            }
        }
        current = Map.copyOf(next);
    }

    private void turnedHot(HotSale sale, long detectionMillis) {
        detectionLatency.record(Duration.ofMillis(detectionMillis));
        LOG.infof("sale %d is hot: %s; flagged on this instance %d ms after the report that crossed the threshold;"
                + " its waitlist reads are now served from memory (up to %d ms old)", sale.saleId(), describe(sale),
                detectionMillis, config.readCacheTtl().toMillis());
    }

    /** "2,345 req/s over 2 instances (purchase 2,000, page 345); next sale: 1 stock bucket(s)". */
    public static String describe(HotSale sale) {
        StringBuilder families = new StringBuilder();
        sale.perFamily().forEach((family, rate) -> families.append(families.length() == 0 ? "" : ", ")
                .append(family.label()).append(' ').append(String.format(java.util.Locale.ROOT, "%,.0f", rate)));
        return String.format(java.util.Locale.ROOT, "%,.0f req/s over %d instance(s) (%s); next sale: %d stock bucket(s) (peak purchase"
                + " rate %,.0f/s)", sale.ratePerSecond(), sale.instances(), families, sale.recommendedBuckets(),
                sale.peakPurchaseRate());
    }

    private SaleGauges gauges(long saleId) {
        return gauges.computeIfAbsent(saleId, id -> {
            SaleGauges g = new SaleGauges();
            String sale = Long.toString(id);
            Gauge.builder("flashsale.hotkey.hot", g, s -> s.hot).tag("sale", sale)
                    .description("1 while the sale is flagged hot (README \"Hot keys\")").register(meters);
            Gauge.builder("flashsale.hotkey.rate", g, s -> s.rate).tag("sale", sale)
                    .description("requests per second for the hot sale over every instance, as last broadcast")
                    .register(meters);
            Gauge.builder("flashsale.hotkey.recommended.buckets", g, s -> s.buckets).tag("sale", sale)
                    .description("stock buckets recommended for the sale's next run").register(meters);
            return g;
        });
    }
}
