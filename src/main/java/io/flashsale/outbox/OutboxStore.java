package io.flashsale.outbox;

import io.flashsale.common.Jdbc;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Every SQL statement on {@code outbox_events}, and nothing else touches that table. Statements
 * that must commit with someone else's change (the insert next to an order, the relay's
 * claim-and-mark) take the caller's {@link Connection}; the operator's and the jobs' statements
 * use a connection of their own. Statuses are {@link OutboxStatus}, never string literals.
 * <p>
 * The indexes of the V1 migration are shaped for these statements (SchemaIndexTests checks the
 * plans): {@code idx_outbox_due (status, id)} for the claim and the gauges,
 * {@code idx_outbox_aggregate} for per-order ordering, {@code idx_outbox_published} for the purge.
 */
@ApplicationScoped
public class OutboxStore {

    private static final String INSERT = "INSERT INTO outbox_events"
            + " (event_id, aggregate_id, event_type, payload, status, attempts, next_attempt_at, created_at)"
            + " VALUES (?, ?, ?, ?, '" + OutboxStatus.PENDING + "', 0, ?, ?)";
    /** Due rows in id order, skipping any row whose order still has an earlier undelivered row. */
    private static final String CLAIM_DUE = "SELECT e.id, e.event_id, e.aggregate_id, e.event_type, e.payload,"
            + " e.attempts, e.created_at FROM outbox_events e"
            + " WHERE e.status = '" + OutboxStatus.PENDING + "' AND e.next_attempt_at <= ?"
            + " AND NOT EXISTS (SELECT 1 FROM outbox_events p WHERE p.aggregate_id = e.aggregate_id"
            + "   AND p.id < e.id AND p.status <> '" + OutboxStatus.PUBLISHED + "')"
            + " ORDER BY e.id LIMIT ? FOR UPDATE SKIP LOCKED";
    private static final String MARK_FAILED = "UPDATE outbox_events"
            + " SET attempts = ?, status = ?, next_attempt_at = ?, last_error = ? WHERE id = ?";
    private static final String COUNT_BY_STATUS = "SELECT COUNT(*) FROM outbox_events WHERE status = ?";
    private static final String OLDEST_PENDING = "SELECT created_at FROM outbox_events WHERE status = '"
            + OutboxStatus.PENDING + "' ORDER BY id LIMIT 1";
    private static final String LIST_DEAD = "SELECT event_id, id, event_type, attempts, last_error, created_at"
            + " FROM outbox_events WHERE status = '" + OutboxStatus.DEAD + "' ORDER BY id LIMIT ?";
    private static final String REQUEUE_DEAD = "UPDATE outbox_events SET status = '" + OutboxStatus.PENDING
            + "', attempts = 0, next_attempt_at = ? WHERE status = '" + OutboxStatus.DEAD + "'";
    /** Chunked (LIMIT) so each delete holds its locks briefly. */
    private static final int PURGE_CHUNK = 5_000;
    private static final String PURGE_PUBLISHED = "DELETE FROM outbox_events WHERE status = '"
            + OutboxStatus.PUBLISHED + "' AND published_at < ? LIMIT " + PURGE_CHUNK;
    /** last_error is VARCHAR(1000). */
    private static final int MAX_ERROR_LENGTH = 1000;

    /** What operators watch: undelivered rows, DEAD rows, and the age of the oldest undelivered one. */
    @RegisterForReflection
    public record Figures(long unpublished, long dead, long oldestUnpublishedAgeMillis) {
    }

    /** A row that exhausted its attempts, as GET /api/ops/outbox/dead lists it (API.md). */
    @RegisterForReflection
    public record DeadEvent(String eventId, long outboxId, String type, int attempts, String lastError,
            String createdAt) {
    }

    private final DataSource dataSource;
    private final Clock clock;

    public OutboxStore(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    /**
     * Appends PENDING rows with one JDBC batch on the caller's connection, so they commit or roll
     * back together with the order changes they describe (invariant 4). Static: the order batch
     * writer and the timers call it inside their own transactions.
     */
    public static void insert(Connection connection, List<OutboxEvent> events) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(INSERT)) {
            for (OutboxEvent event : events) {
                LocalDateTime at = Jdbc.utc(event.occurredAt());
                statement.setString(1, event.eventId().toString());
                statement.setLong(2, event.orderId());
                statement.setString(3, event.type().wireName());
                statement.setString(4, event.payload());
                statement.setObject(5, at);
                statement.setObject(6, at);
                statement.addBatch();
            }
            statement.executeBatch();
        }
    }

    /**
     * Locks up to {@code limit} due rows with {@code FOR UPDATE SKIP LOCKED} on the caller's claim
     * transaction ({@link Sql#claimTransaction}): relays on several replicas never take the same row.
     */
    public List<OutboxRow> claimDue(Connection claim, int limit) throws SQLException {
        List<OutboxRow> rows = new ArrayList<>();
        try (PreparedStatement statement = claim.prepareStatement(CLAIM_DUE)) {
            statement.setObject(1, Jdbc.utc(clock.instant()));
            statement.setInt(2, limit);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    rows.add(new OutboxRow(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getString(4),
                            rs.getString(5), rs.getInt(6), Jdbc.instant(rs.getObject(7, LocalDateTime.class))));
                }
            }
        }
        return rows;
    }

    /** Marks the acknowledged rows PUBLISHED, one statement for the whole round. */
    public void markPublished(Connection claim, List<Long> ids) throws SQLException {
        if (ids.isEmpty()) {
            return;
        }
        try (PreparedStatement statement = claim.prepareStatement(
                "UPDATE outbox_events SET status = '" + OutboxStatus.PUBLISHED + "', published_at = ? WHERE id IN ("
                        + Jdbc.placeholders(ids.size()) + ")")) {
            statement.setObject(1, Jdbc.utc(clock.instant()));
            for (int i = 0; i < ids.size(); i++) {
                statement.setLong(i + 2, ids.get(i));
            }
            statement.executeUpdate();
        }
    }

    /** Records a failed attempt: the row stays PENDING until {@code nextAttempt}, or becomes DEAD. */
    public void markFailed(Connection claim, long id, int attempts, OutboxStatus status, Instant nextAttempt,
            Throwable cause) throws SQLException {
        try (PreparedStatement statement = claim.prepareStatement(MARK_FAILED)) {
            statement.setInt(1, attempts);
            statement.setString(2, status.name());
            statement.setObject(3, Jdbc.utc(nextAttempt));
            String error = String.valueOf(cause);
            statement.setString(4, error.length() > MAX_ERROR_LENGTH ? error.substring(0, MAX_ERROR_LENGTH) : error);
            statement.setLong(5, id);
            statement.executeUpdate();
        }
    }

    /** The gauges' figures read now (three indexed queries): also the operator console's outbox lag. */
    public Figures figures() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            long pending = count(c, OutboxStatus.PENDING);
            long dead = count(c, OutboxStatus.DEAD);
            try (PreparedStatement s = c.prepareStatement(OLDEST_PENDING); ResultSet rs = s.executeQuery()) {
                long age = rs.next()
                        ? Math.max(0, Duration.between(Jdbc.instant(rs.getObject(1, LocalDateTime.class)),
                                clock.instant()).toMillis())
                        : 0;
                return new Figures(pending, dead, age);
            }
        }
    }

    private static long count(Connection c, OutboxStatus status) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(COUNT_BY_STATUS)) {
            s.setString(1, status.name());
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The oldest {@code limit} DEAD rows. */
    public List<DeadEvent> dead(int limit) throws SQLException {
        List<DeadEvent> events = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(LIST_DEAD)) {
            s.setInt(1, limit);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    events.add(new DeadEvent(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getInt(4),
                            rs.getString(5), Jdbc.instant(rs.getObject(6, LocalDateTime.class)).toString()));
                }
            }
        }
        return events;
    }

    /** Gives every DEAD row a fresh set of attempts, due now. Returns the rows requeued. */
    public int requeueAllDead() throws SQLException {
        return requeue(REQUEUE_DEAD, null);
    }

    /** Gives one DEAD row a fresh set of attempts; 0 when no DEAD row has that event id. */
    public int requeueDead(String eventId) throws SQLException {
        return requeue(REQUEUE_DEAD + " AND event_id = ?", eventId);
    }

    private int requeue(String sql, String eventId) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setObject(1, Jdbc.utc(clock.instant()));
            if (eventId != null) {
                s.setString(2, eventId);
            }
            return s.executeUpdate();
        }
    }

    /** Deletes PUBLISHED rows older than the cutoff, chunk by chunk. Returns the rows deleted. */
    public int purgePublishedBefore(Instant cutoff) throws SQLException {
        return Jdbc.deleteInChunks(dataSource, PURGE_PUBLISHED, Jdbc.utc(cutoff), PURGE_CHUNK);
    }
}
