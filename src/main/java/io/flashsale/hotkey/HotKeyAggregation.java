package io.flashsale.hotkey;

import io.flashsale.common.RoleConfig;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.pubsub.ReactivePubSubCommands;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import org.jboss.logging.Logger;

/**
 * The worker role's half (like every job, only where {@code flashsale.role} includes the worker):
 * hears every instance's reports, decides with {@link HotSaleAggregator}, and broadcasts the hot
 * set on the hot-set channel every publish period, and at once when a report changes it (so
 * detection does not wait for the next period). Several workers each aggregate the same reports
 * and broadcast; instances take the union, so no election is needed.
 * <p>
 * The INFO lines "sale N is hot ..." and "sale N is no longer hot ..." with the rate and the
 * bucket recommendation come from here, once per deployment (per worker).
 */
@ApplicationScoped
public class HotKeyAggregation {

    private static final Logger LOG = Logger.getLogger(HotKeyAggregation.class);

    private final HotKeyConfig config;
    private final Clock clock;
    private final boolean worker;
    private final ReactivePubSubCommands<String> pubsub;
    private final ChannelSubscription reports;
    private final HotSaleAggregator aggregator;
    private final String aggregatorId = HotKeyReporter.newInstanceId();
    private volatile Cancellable ticks;
    /** Numbers the decisions, under the aggregator's lock (HotSetMessage#sequence). */
    private long decisions;

    public HotKeyAggregation(ReactiveRedisDataSource redis, HotKeyConfig config, Clock clock, RoleConfig role) {
        this.config = config;
        this.clock = clock;
        this.worker = role.role().runsWorkers();
        this.pubsub = redis.pubsub(String.class);
        this.aggregator = new HotSaleAggregator(config.hotRate(), config.coolRate(), config.coolDown().toMillis(),
                config.staleAfter().toMillis(), config.shardBudget());
        this.reports = new ChannelSubscription(redis, config.reportsChannel(), this::onReport);
    }

    void onStart(@Observes StartupEvent event) {
        if (!worker) {
            return;
        }
        reports.start();
        ticks = Periodic.every(config.publishPeriod(), "hot set broadcast", () -> broadcast(decide()));
    }

    void onStop(@Observes ShutdownEvent event) {
        reports.stop();
        Cancellable running = ticks;
        if (running != null) {
            running.cancel();
        }
    }

    void onReport(String text) {
        InstanceReport report = HotKeyMessages.report(text);
        if (report == null) {
            LOG.debugf("ignoring hot-key report %s", text);
            return;
        }
        Decided decided;
        synchronized (aggregator) {
            aggregator.accept(report, clock.millis());
            decided = evaluate();
        }
        if (decided.decision().changed()) {
            broadcast(decided).subscribe().with(ignored -> {
            }, failure -> LOG.debugf("hot set broadcast failed (%s); the next period sends it again", failure));
        }
    }

    /** A decision and its number. */
    private record Decided(HotSaleAggregator.Decision decision, long sequence) {
    }

    private Decided decide() {
        synchronized (aggregator) {
            return evaluate();
        }
    }

    /** Called under the aggregator's lock. */
    private Decided evaluate() {
        HotSaleAggregator.Decision decision = aggregator.evaluate(clock.millis());
        long sequence = ++decisions;
        for (HotSale sale : decision.turnedHot()) {
            LOG.infof("sale %d is hot: %s. Recommendation: give its next sale %d stock bucket(s) (one shard takes"
                    + " about %,.0f purchase calls/s, flashsale.hotkey.shard-budget); the bucket count of a running"
                    + " sale is not changed automatically", sale.saleId(), HotSet.describe(sale),
                    sale.recommendedBuckets(), config.shardBudget());
        }
        for (HotSaleAggregator.Cooled sale : decision.turnedCold()) {
            LOG.infof("sale %d is no longer hot: %,.0f req/s, below %,.0f for %d s; it was hot for %d s,"
                    + " peak %,.0f req/s (purchase %,.0f/s). Recommendation for its next sale: %d stock bucket(s)",
                    sale.saleId(), sale.ratePerSecond(), config.coolRate(), config.coolDown().toSeconds(),
                    sale.hotForMillis() / 1000, sale.peakRate(), sale.peakPurchaseRate(), sale.recommendedBuckets());
        }
        return new Decided(decision, sequence);
    }

    private Uni<Void> broadcast(Decided decided) {
        return pubsub.publish(config.hotSetChannel(), HotKeyMessages.encode(new HotSetMessage(aggregatorId,
                decided.sequence(), clock.millis(), decided.decision().hot())));
    }
}
