package io.flashsale.outbox;

import io.flashsale.common.Jdbc;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * The outbox's scheduled side: the re-publisher (slow path), retention purge, and the gauges
 * operators alert on (unpublished rows, DEAD rows, age of the oldest unpublished row).
 * Gauges are refreshed by a job, so a Prometheus scrape never queries the database.
 */
@ApplicationScoped
public class OutboxMaintenance {

    private static final Logger LOG = Logger.getLogger(OutboxMaintenance.class);
    private static final int PURGE_CHUNK = 5_000;
    private static final String PURGE_PROCESSED = "DELETE FROM processed_events WHERE processed_at < ? LIMIT "
            + PURGE_CHUNK;

    private final OutboxRelay relay;
    private final OutboxStore store;
    private final DataSource dataSource;
    private final OutboxConfig config;
    private final Clock clock;
    private final AtomicLong unpublished = new AtomicLong();
    private final AtomicLong dead = new AtomicLong();
    private final AtomicLong oldestUnpublishedAgeSeconds = new AtomicLong();

    public OutboxMaintenance(OutboxRelay relay, OutboxStore store, DataSource dataSource, OutboxConfig config,
            Clock clock, MeterRegistry meters) {
        this.relay = relay;
        this.store = store;
        this.dataSource = dataSource;
        this.config = config;
        this.clock = clock;
        Gauge.builder("flashsale.outbox.unpublished", unpublished, AtomicLong::get)
                .description("outbox rows not yet delivered to Kafka").register(meters);
        Gauge.builder("flashsale.outbox.dead", dead, AtomicLong::get)
                .description("outbox rows that exhausted their attempts").register(meters);
        Gauge.builder("flashsale.outbox.oldest.unpublished.age.seconds", oldestUnpublishedAgeSeconds, AtomicLong::get)
                .description("age of the oldest undelivered outbox row").register(meters);
    }

    @Scheduled(every = "${flashsale.outbox.poll-interval}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void republish() {
        relay.publishDueUnlessBusy();
    }

    @Scheduled(every = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refreshGauges() {
        try {
            OutboxStore.Figures now = figures();
            unpublished.set(now.unpublished());
            dead.set(now.dead());
            oldestUnpublishedAgeSeconds.set(now.oldestUnpublishedAgeMillis() / 1000);
        } catch (SQLException e) {
            LOG.warnf("outbox gauges not refreshed: %s", e.toString());
        }
    }

    /** The gauges' figures read now: also the operator console's outbox lag. */
    public OutboxStore.Figures figures() throws SQLException {
        return store.figures();
    }

    /**
     * Deletes old published rows, and the consumers' processed-event rows (their duplicate guard
     * needs to outlive any redelivery of a published row, so both share the outbox retention).
     */
    @Scheduled(every = "1h", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void purge() {
        Instant cutoff = clock.instant().minus(config.retention());
        try {
            store.purgePublishedBefore(cutoff);
        } catch (SQLException e) {
            LOG.warnf("purge failed: %s", e.toString());
        }
        try {
            Jdbc.deleteInChunks(dataSource, PURGE_PROCESSED, Jdbc.utc(cutoff), PURGE_CHUNK);
        } catch (SQLException e) {
            LOG.warnf("purge failed: %s", e.toString());
        }
    }
}
