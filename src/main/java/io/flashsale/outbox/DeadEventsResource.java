package io.flashsale.outbox;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** Operator endpoints for outbox rows that exhausted their attempts (status DEAD); the logic is {@link DeadEvents}. */
@Path("/api/ops/outbox")
@RolesAllowed(io.flashsale.common.Access.OPERATOR)
@Produces(MediaType.APPLICATION_JSON)
public class DeadEventsResource {

    private final DeadEvents deadEvents;

    public DeadEventsResource(DeadEvents deadEvents) {
        this.deadEvents = deadEvents;
    }

    @GET
    @Path("/dead")
    @Operation(summary = "Outbox events that could not be delivered after all attempts")
    public List<OutboxStore.DeadEvent> dead(@QueryParam("limit") Integer limit) throws SQLException {
        return deadEvents.list(limit);
    }

    @POST
    @Path("/dead/requeue")
    @Operation(summary = "Give every DEAD event a fresh set of attempts")
    public Map<String, Integer> requeueAll() throws SQLException {
        return Map.of("requeued", deadEvents.requeueAll());
    }

    @POST
    @Path("/{eventId}/requeue")
    @Operation(summary = "Give one DEAD event a fresh set of attempts")
    public Map<String, Integer> requeueOne(@PathParam("eventId") String eventId) throws SQLException {
        return Map.of("requeued", deadEvents.requeue(eventId));
    }
}
