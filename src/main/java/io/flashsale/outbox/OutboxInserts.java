package io.flashsale.outbox;

import io.flashsale.common.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.List;

/**
 * Writes outbox rows with a JDBC batch on the caller's connection, so they commit or roll back
 * together with the order changes they describe.
 */
public final class OutboxInserts {

    private static final String INSERT = "INSERT INTO outbox_events"
            + " (event_id, aggregate_id, event_type, payload, status, attempts, next_attempt_at, created_at)"
            + " VALUES (?, ?, ?, ?, 'PENDING', 0, ?, ?)";

    private OutboxInserts() {
    }

    public static void insert(Connection connection, List<OutboxEvent> events) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(INSERT)) {
            for (OutboxEvent event : events) {
                LocalDateTime at = Sql.utc(event.occurredAt());
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
}
