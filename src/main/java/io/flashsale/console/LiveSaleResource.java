package io.flashsale.console;

import io.flashsale.common.Access;
import io.flashsale.sale.Sale;
import io.flashsale.sale.SaleIds;
import io.flashsale.sale.SaleService;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import jakarta.annotation.security.RolesAllowed;
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

/** The operator console's live view of a sale (API.md "Operations"); the page itself is /console. */
@Path("/api/ops/sales/{saleId}/live")
@RolesAllowed(Access.OPERATOR)
public class LiveSaleResource {

    private final LiveSaleFeed feed;

    public LiveSaleResource(LiveSaleFeed feed) {
        this.feed = feed;
    }

    @GET
    @Blocking // only the opening lookup of the sale (so an unknown sale is a proper 404); the stream is async
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "Server-sent events: a 'snapshot' of the sale every second (units, answers, latency,"
            + " order writer, outbox), until the client hangs up")
    @APIResponse(responseCode = "200", description = "The stream")
    @APIResponse(responseCode = "404", description = "SALE_NOT_FOUND")
    public Multi<OutboundSseEvent> live(@PathParam("saleId") String saleId, @Context Sse sse) {
        long id = SaleIds.parse(saleId);
        Sale sale = QuarkusTransaction.requiringNew().call(() -> Sale.<Sale>findById(id));
        if (sale == null) {
            throw SaleService.notFound(id);
        }
        return feed.stream(sale).map(snapshot -> sse.newEventBuilder()
                .name("snapshot")
                .id(Long.toString(snapshot.at().toEpochMilli()))
                .mediaType(MediaType.APPLICATION_JSON_TYPE)
                .data(LiveSnapshot.class, snapshot)
                .build());
    }
}
