package io.flashsale.outbox;

import io.flashsale.common.Sql;
import io.flashsale.common.ApiException;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** Operator endpoints for outbox rows that exhausted their attempts (status DEAD). */
@Path("/api/ops/outbox")
@jakarta.annotation.security.RolesAllowed(io.flashsale.common.Access.OPERATOR)
@Produces(MediaType.APPLICATION_JSON)
public class DeadEventsResource {

    @RegisterForReflection
    public record DeadEvent(String eventId, long outboxId, String type, int attempts, String lastError,
            String createdAt) {
    }

    private final DataSource dataSource;
    private final OutboxRelay relay;
    private final Clock clock;

    public DeadEventsResource(DataSource dataSource, OutboxRelay relay, Clock clock) {
        this.dataSource = dataSource;
        this.relay = relay;
        this.clock = clock;
    }

    @GET
    @Path("/dead")
    @Operation(summary = "Outbox events that could not be delivered after all attempts")
    public List<DeadEvent> dead(@QueryParam("limit") Integer limit) throws SQLException {
        int max = limit == null ? 100 : limit;
        if (max < 1 || max > 1000) {
            throw ApiException.invalid("limit", "query parameter 'limit' must be between 1 and 1000");
        }
        List<DeadEvent> events = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT event_id, id, event_type, attempts, last_error, created_at FROM outbox_events"
                        + " WHERE status = 'DEAD' ORDER BY id LIMIT ?")) {
            s.setInt(1, max);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    events.add(new DeadEvent(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getInt(4),
                            rs.getString(5), Sql.instant(rs.getObject(6, LocalDateTime.class)).toString()));
                }
            }
        }
        return events;
    }

    @POST
    @Path("/dead/requeue")
    @Operation(summary = "Give every DEAD event a fresh set of attempts")
    public Map<String, Integer> requeueAll() throws SQLException {
        return Map.of("requeued", requeue("status = 'DEAD'", null));
    }

    @POST
    @Path("/{eventId}/requeue")
    @Operation(summary = "Give one DEAD event a fresh set of attempts")
    public Map<String, Integer> requeueOne(@PathParam("eventId") String eventId) throws SQLException {
        int requeued = requeue("status = 'DEAD' AND event_id = ?", eventId);
        if (requeued == 0) {
            throw new ApiException(404, "EVENT_NOT_FOUND", "no DEAD outbox event with id " + eventId);
        }
        return Map.of("requeued", requeued);
    }

    private int requeue(String where, String eventId) throws SQLException {
        int requeued;
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "UPDATE outbox_events SET status = 'PENDING', attempts = 0, next_attempt_at = ? WHERE " + where)) {
            s.setObject(1, Sql.utc(clock.instant()));
            if (eventId != null) {
                s.setString(2, eventId);
            }
            requeued = s.executeUpdate();
        }
        relay.wake();
        return requeued;
    }
}
