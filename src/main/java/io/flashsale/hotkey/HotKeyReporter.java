package io.flashsale.hotkey;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.pubsub.ReactivePubSubCommands;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;

/**
 * Every instance, every publish period: its busiest sales' rates to the reports channel, with its
 * instance id and its clock. A quiet instance sends one empty report (so the worker stops counting
 * it at once) and then nothing until it is busy again.
 */
@ApplicationScoped
public class HotKeyReporter {

    private final AccessCounters counters;
    private final HotKeyConfig config;
    private final Clock clock;
    private final ReactivePubSubCommands<String> pubsub;
    private final String instanceId;
    private volatile boolean reportedNothing = true;
    private volatile Cancellable ticks;

    @Inject
    public HotKeyReporter(ReactiveRedisDataSource redis, AccessCounters counters, HotKeyConfig config, Clock clock) {
        this(redis, counters, config, clock, newInstanceId());
    }

    public HotKeyReporter(ReactiveRedisDataSource redis, AccessCounters counters, HotKeyConfig config, Clock clock,
            String instanceId) {
        this.counters = counters;
        this.config = config;
        this.clock = clock;
        this.pubsub = redis.pubsub(String.class);
        this.instanceId = instanceId;
    }

    /** A random id per process: pods come and go, and no two may share one. */
    static String newInstanceId() {
        byte[] bytes = new byte[6];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    public String instanceId() {
        return instanceId;
    }

    void onStart(@Observes StartupEvent event) {
        start();
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
    }

    public void start() {
        ticks = Periodic.every(config.publishPeriod(), "hot-key report", this::publish);
    }

    public void stop() {
        Cancellable running = ticks;
        if (running != null) {
            running.cancel();
        }
    }

    Uni<Void> publish() {
        List<SaleRates> busiest = counters.busiest(config.topSales());
        if (busiest.isEmpty() && reportedNothing) {
            return Uni.createFrom().voidItem();
        }
        reportedNothing = busiest.isEmpty();
        return pubsub.publish(config.reportsChannel(),
                HotKeyMessages.encode(new InstanceReport(instanceId, clock.millis(), busiest)));
    }
}
