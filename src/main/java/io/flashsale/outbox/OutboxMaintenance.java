package io.flashsale.outbox;

import io.flashsale.common.Sql;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
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

    private final OutboxRelay relay;
    private final DataSource dataSource;
    private final OutboxConfig config;
    private final Clock clock;
    private final AtomicLong unpublished = new AtomicLong();
    private final AtomicLong dead = new AtomicLong();
    private final AtomicLong oldestUnpublishedAgeSeconds = new AtomicLong();

    public OutboxMaintenance(OutboxRelay relay, DataSource dataSource, OutboxConfig config, Clock clock,
            MeterRegistry meters) {
        this.relay = relay;
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
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = io.flashsale.common.WorkerRole.NotWorker.class)
    void republish() {
        relay.publishDueUnlessBusy();
    }

    /** What operators watch: undelivered rows, DEAD rows, and the age of the oldest undelivered one. */
    @io.quarkus.runtime.annotations.RegisterForReflection
    public record Figures(long unpublished, long dead, long oldestUnpublishedAgeMillis) {
    }

    @Scheduled(every = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = io.flashsale.common.WorkerRole.NotWorker.class)
    void refreshGauges() {
        try {
            Figures now = figures();
            unpublished.set(now.unpublished());
            dead.set(now.dead());
            oldestUnpublishedAgeSeconds.set(now.oldestUnpublishedAgeMillis() / 1000);
        } catch (SQLException e) {
            LOG.warnf("outbox gauges not refreshed: %s", e.toString());
        }
    }

    /** The gauges' figures read now (three indexed queries): also the operator console's outbox lag. */
    public Figures figures() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            long pending = count(c, "SELECT COUNT(*) FROM outbox_events WHERE status = 'PENDING'");
            long deadRows = count(c, "SELECT COUNT(*) FROM outbox_events WHERE status = 'DEAD'");
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT created_at FROM outbox_events WHERE status = 'PENDING' ORDER BY id LIMIT 1");
                    ResultSet rs = s.executeQuery()) {
                long age = rs.next()
                        ? Math.max(0, Duration.between(Sql.instant(rs.getObject(1, LocalDateTime.class)),
                                clock.instant()).toMillis())
                        : 0;
                return new Figures(pending, deadRows, age);
            }
        }
    }

    /** Deletes old published rows and consumers' processed-event rows, in chunks to keep locks short. */
    @Scheduled(every = "1h", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = io.flashsale.common.WorkerRole.NotWorker.class)
    void purge() {
        LocalDateTime cutoff = Sql.utc(clock.instant().minus(config.retention()));
        purge("DELETE FROM outbox_events WHERE status = 'PUBLISHED' AND published_at < ? LIMIT " + PURGE_CHUNK, cutoff);
        purge("DELETE FROM processed_events WHERE processed_at < ? LIMIT " + PURGE_CHUNK, cutoff);
    }

    private void purge(String sql, LocalDateTime cutoff) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            int deleted;
            do {
                s.setObject(1, cutoff);
                deleted = s.executeUpdate();
            } while (deleted == PURGE_CHUNK);
        } catch (SQLException e) {
            LOG.warnf("purge failed: %s", e.toString());
        }
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
