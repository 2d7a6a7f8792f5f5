package io.flashsale.console;

import io.flashsale.hotkey.HotSale;
import io.flashsale.hotkey.HotSet;
import io.flashsale.order.OrderBatchWriter;
import io.flashsale.outbox.OutboxMaintenance;
import io.flashsale.outbox.OutboxStore;
import io.flashsale.purchase.LatencyHistogram;
import io.flashsale.purchase.PurchaseActivity;
import io.flashsale.sale.Sale;
import io.flashsale.sale.SaleState;
import io.flashsale.sale.StockReservations;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The operator console's live view of one sale: a snapshot every second, built from the sale's
 * Redis counters (sale_counters.lua, as the public sale page), this instance's purchase answers
 * ({@link PurchaseActivity}), the order writer's meters and the outbox figures. Rates and
 * percentiles are over the interval since the stream's previous snapshot, so every watcher gets
 * exact per-interval figures of its own. The outbox is read at most once per second for all
 * watchers together.
 */
@ApplicationScoped
public class LiveSaleFeed {

    static final Duration PERIOD = Duration.ofSeconds(1);
    /** The first snapshot comes at once; rates over a shorter interval than this would be noise. */
    private static final double SHORTEST_INTERVAL_SECONDS = 0.25;
    private static final Duration REDIS_TIMEOUT = Duration.ofSeconds(2);
    private static final String SCOPE = "this instance";

    private final StockReservations stock;
    private final PurchaseActivity activity;
    private final MeterRegistry meters;
    private final Clock clock;
    private final Uni<OutboxRead> outbox;
    private final HotSet hotSet;

    /** The outbox figures, or why they could not be read. */
    private record OutboxRead(LiveSnapshot.Outbox figures, String problem) {
    }

    public LiveSaleFeed(StockReservations stock, PurchaseActivity activity, MeterRegistry meters, Clock clock,
            OutboxMaintenance outboxes, HotSet hotSet) {
        this.hotSet = hotSet;
        this.stock = stock;
        this.activity = activity;
        this.meters = meters;
        this.clock = clock;
        this.outbox = Uni.createFrom().item(() -> {
                    try {
                        OutboxStore.Figures f = outboxes.figures();
                        return new OutboxRead(new LiveSnapshot.Outbox(f.unpublished(), f.oldestUnpublishedAgeMillis(),
                                f.dead()), null);
                    } catch (java.sql.SQLException | RuntimeException e) {
                        return new OutboxRead(null, "outbox: database not answering (" + e.getMessage() + ")");
                    }
                })
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .memoize().atLeast(PERIOD.minusMillis(100));
    }

    /** A snapshot now and then one per second, until the subscriber cancels. */
    public Multi<LiveSnapshot> stream(Sale sale) {
        Interval interval = new Interval(activity.totals(sale.id).orElse(null), writerTotals());
        return Multi.createFrom().ticks().startingAfter(Duration.ofMillis(1)).every(PERIOD)
                .onOverflow().drop() // a slow snapshot skips ticks rather than queueing them
                .onItem().transformToUniAndConcatenate(tick -> snapshot(sale, interval));
    }

    Uni<LiveSnapshot> snapshot(Sale sale, Interval interval) {
        Uni<Object> units = stock.counters(sale.id, sale.buckets).ifNoItem().after(REDIS_TIMEOUT).fail()
                .map(c -> (Object) c)
                .onFailure().recoverWithItem(e -> "redis: not answering (" + e.getMessage() + ")");
        return Uni.combine().all().unis(units, outbox).with((unitsOrProblem, outboxRead) -> {
            List<String> problems = new ArrayList<>();
            LiveSnapshot.Units figures = null;
            SaleState state = null;
            var now = clock.instant();
            if (unitsOrProblem instanceof StockReservations.Counters c && c.primed()) {
                figures = new LiveSnapshot.Units(c.available(), c.reserved(), c.paid(), c.waitlistLength());
                state = SaleState.of(sale, c.available(), now);
            } else if (unitsOrProblem instanceof StockReservations.Counters) {
                problems.add("redis: does not hold this sale (keys expired or lost; the next purchase rebuilds them)");
            } else {
                problems.add((String) unitsOrProblem);
            }
            if (outboxRead.problem() != null) {
                problems.add(outboxRead.problem());
            }
            return interval.next(sale, now, state, figures, activity.totals(sale.id).orElse(null), writerTotals(),
                    writerQueue(), outboxRead.figures(), hotKeys(sale.id), problems);
        });
    }

    private LiveSnapshot.HotKeys hotKeys(long saleId) {
        return hotSet.flag(saleId).map(flag -> {
            HotSale sale = flag.sale();
            Map<String, Double> perFamily = new TreeMap<>();
            sale.perFamily().forEach((family, rate) -> perFamily.put(family.label(), rate));
            return new LiveSnapshot.HotKeys(true, true, List.of("hot: " + HotSet.describe(sale) + "; flagged here "
                    + flag.detectionMillis() + " ms after the threshold was crossed"), sale.ratePerSecond(), perFamily,
                    sale.recommendedBuckets(), flag.detectionMillis());
        }).orElse(LiveSnapshot.HotKeys.NOT_HOT);
    }

    /** Cumulative batches committed and orders in them, from the writer's distribution summary. */
    private double[] writerTotals() {
        DistributionSummary batches = meters.find(OrderBatchWriter.BATCH_SIZE_METER).summary();
        return batches == null ? new double[] {0, 0} : new double[] {batches.count(), batches.totalAmount()};
    }

    private long writerQueue() {
        Gauge queue = meters.find(OrderBatchWriter.QUEUE_METER).gauge();
        return queue == null ? 0 : (long) queue.value();
    }

    /** The previous snapshot's cumulative figures of one stream: rates are differences to them. */
    static final class Interval {

        private PurchaseActivity.Totals purchases;
        private double[] writer;
        private long nanos = System.nanoTime();

        Interval(PurchaseActivity.Totals purchases, double[] writer) {
            this.purchases = purchases;
            this.writer = writer;
        }

        LiveSnapshot next(Sale sale, java.time.Instant now, SaleState state, LiveSnapshot.Units units,
                PurchaseActivity.Totals purchasesNow, double[] writerNow, long queued, LiveSnapshot.Outbox outbox,
                LiveSnapshot.HotKeys hotKeys, List<String> problems) {
            long nanosNow = System.nanoTime();
            double seconds = (nanosNow - nanos) / 1e9;
            Map<String, Double> perSecond = new TreeMap<>();
            Map<String, Long> totals = purchasesNow == null ? Map.of() : purchasesNow.answers();
            Double p50 = null;
            Double p99 = null;
            if (seconds < SHORTEST_INTERVAL_SECONDS) {
                // the stream's first snapshot: figures now, rates from the next one (same baseline)
                return new LiveSnapshot(now, sale.id, sale.sku, sale.title, sale.stock, state, units,
                        new LiveSnapshot.Purchases(SCOPE, 0, perSecond, totals, null, null),
                        new LiveSnapshot.Writer(queued, 0, null), outbox, hotKeys, problems);
            }
            if (purchasesNow != null) {
                Map<String, Long> before = purchases == null ? Map.of() : purchases.answers();
                totals.forEach((code, count) -> perSecond.put(code, (count - before.getOrDefault(code, 0L)) / seconds));
                long[] latencies = LatencyHistogram.between(purchases == null ? null : purchases.latencyMicrosBuckets(),
                        purchasesNow.latencyMicrosBuckets());
                p50 = LatencyHistogram.percentileMillis(latencies, 0.50);
                p99 = LatencyHistogram.percentileMillis(latencies, 0.99);
            }
            double batches = writerNow[0] - writer[0];
            double orders = writerNow[1] - writer[1];
            LiveSnapshot.Writer writerFigures = new LiveSnapshot.Writer(queued, batches / seconds,
                    batches > 0 ? orders / batches : null);
            purchases = purchasesNow;
            writer = writerNow;
            nanos = nanosNow;
            return new LiveSnapshot(now, sale.id, sale.sku, sale.title, sale.stock, state, units,
                    new LiveSnapshot.Purchases(SCOPE, seconds, perSecond, totals, p50, p99), writerFigures, outbox,
                    hotKeys, problems);
        }
    }
}
