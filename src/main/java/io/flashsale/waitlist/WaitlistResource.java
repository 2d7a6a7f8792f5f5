package io.flashsale.waitlist;

import io.flashsale.common.Access;
import io.flashsale.hotkey.AccessCounters;
import io.flashsale.hotkey.KeyFamily;
import io.quarkus.security.identity.SecurityIdentity;
import io.flashsale.purchase.PurchaseRequest;
import io.flashsale.sale.SaleIds;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** Buyer endpoints of a sale's waitlist (API.md "Waitlist"). Joining is {@code waitlist: true} on purchase. */
@Path("/api/sales/{saleId}/waitlist/{userId}")
@jakarta.annotation.security.RolesAllowed({ Access.BUYER, Access.OPERATOR })
public class WaitlistResource {


    private final WaitlistService waitlists;
    private final SecurityIdentity caller;
    private final StreamSlots slots;
    private final AccessCounters accesses;

    private final java.time.Duration openingCheckTimeout;

    public WaitlistResource(WaitlistService waitlists, SecurityIdentity caller, StreamSlots slots,
            io.flashsale.common.RedisConfig redis, AccessCounters accesses) {
        this.openingCheckTimeout = redis.timeout();
        this.waitlists = waitlists;
        this.caller = caller;
        this.slots = slots;
        this.accesses = accesses;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "WAITING with the 1-based position, or PROMOTED with the order id")
    @APIResponse(responseCode = "200", description = "Where the buyer stands")
    @APIResponse(responseCode = "404", description = "NOT_IN_WAITLIST or SALE_NOT_FOUND")
    public Uni<WaitlistStatus> status(@PathParam("saleId") String saleId, @PathParam("userId") String userId) {
        return waitlists.status(counted(saleId), validUser(userId));
    }

    @DELETE
    @Operation(summary = "Leave the waitlist (idempotent)")
    @APIResponse(responseCode = "204", description = "Not waiting (any more)")
    public Uni<Void> leave(@PathParam("saleId") String saleId, @PathParam("userId") String userId) {
        return waitlists.leave(counted(saleId), validUser(userId));
    }

    @GET
    @Path("/events")
    @Blocking // only the opening check waits (so NOT_IN_WAITLIST is a proper 404); the stream itself is async
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "Server-sent events: 'position' as the place changes, one 'promoted', then the end")
    public Multi<OutboundSseEvent> events(@PathParam("saleId") String saleId,
            @PathParam("userId") String userId, @Context Sse sse) {
        long sale = counted(saleId);
        String user = validUser(userId);
        WaitlistStatus first = waitlists.status(sale, user).await().atMost(openingCheckTimeout);
        slots.acquire(user);
        return waitlists.stream(sale, user, first)
                .onTermination().invoke(() -> slots.release(user))
                .map(status -> sse.newEventBuilder()
                        .name(switch (status.status()) {
                            case "PROMOTED" -> "promoted";
                            case "WAITING" -> "position";
                            default -> "closed";
                        })
                        .mediaType(MediaType.APPLICATION_JSON_TYPE)
                        .data(WaitlistStatus.class, status)
                        .build());
    }

    /** The sale id, counted as an access to the sale's waitlist keys (hot-key detection). */
    private long counted(String saleId) {
        long id = SaleIds.parse(saleId);
        accesses.count(id, KeyFamily.WAITLIST);
        return id;
    }

    /** {@code me} or the caller's own id; an operator may name any buyer. */
    private String validUser(String userId) {
        return Access.userInPath(caller, userId);
    }
}
