package io.flashsale.purchase;

import io.flashsale.common.ApiException;
import io.flashsale.common.Fields;
import io.flashsale.sale.SaleIds;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** Buyer endpoint (API.md "Purchase"). Runs on the event loop: nothing here blocks. */
@Path("/api/sales/{saleId}/purchases")
public class PurchaseResource {

    private final PurchaseService purchases;

    public PurchaseResource(PurchaseService purchases) {
        this.purchases = purchases;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Buy one unit: 201 with a durable PENDING_PAYMENT order, or why not")
    @APIResponse(responseCode = "201", description = "Reserved; the order is durable")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST")
    @APIResponse(responseCode = "403", description = "SALE_NOT_STARTED")
    @APIResponse(responseCode = "404", description = "SALE_NOT_FOUND")
    @APIResponse(responseCode = "409", description = "ALREADY_PURCHASED or SOLD_OUT")
    @APIResponse(responseCode = "410", description = "SALE_ENDED")
    @APIResponse(responseCode = "429", description = "RATE_LIMITED")
    @APIResponse(responseCode = "503", description = "UNAVAILABLE (nothing reserved)")
    public Uni<Response> purchase(@PathParam("saleId") String saleId, PurchaseRequest request,
            @HeaderParam("Idempotency-Key") String idempotencyKey) {
        long id = SaleIds.parse(saleId);
        if (request == null) {
            throw ApiException.invalid("body", "a JSON body is required");
        }
        String userId = request.validUserId();
        if (idempotencyKey != null) {
            Fields.text("Idempotency-Key", idempotencyKey, 128);
        }
        return purchases.purchase(id, userId, request.wantsWaitlist(), idempotencyKey)
                .map(PurchaseAnswer::toResponse);
    }
}
