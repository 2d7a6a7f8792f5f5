package io.flashsale.purchase;

import io.flashsale.common.ApiException;
import io.flashsale.common.FieldChecks;
import io.flashsale.hotkey.AccessCounters;
import io.flashsale.hotkey.KeyFamily;
import io.flashsale.sale.SaleIds;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestResponse;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** Buyer endpoint (API.md "Purchase"). Runs on the event loop: nothing here blocks. */
@Path("/api/sales/{saleId}/purchases")
@jakarta.annotation.security.RolesAllowed(io.flashsale.common.Access.BUYER)
public class PurchaseResource {

    private final PurchaseService purchases;
    private final io.quarkus.security.identity.SecurityIdentity caller;
    private final AccessCounters accesses;

    public PurchaseResource(PurchaseService purchases, io.quarkus.security.identity.SecurityIdentity caller,
            AccessCounters accesses) {
        this.purchases = purchases;
        this.caller = caller;
        this.accesses = accesses;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Buy one unit: 201 with a durable PENDING_PAYMENT order, or why not")
    @APIResponse(responseCode = "201", description = "Reserved; the order is durable",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "order", value = """
                    {"orderId":"0KZ1J6M4T2QHB","saleId":1,"userId":"alice","status":"PENDING_PAYMENT",
                     "amountCents":49900,"payBy":"2026-12-01T10:15:00Z"}""")))
    @APIResponse(responseCode = "202", description = "Sold out; queued on the waitlist",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "waitlisted",
                    value = "{\"status\":\"WAITLISTED\",\"position\":3,\"length\":17}")))
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST")
    @APIResponse(responseCode = "403", description = "SALE_NOT_STARTED")
    @APIResponse(responseCode = "404", description = "SALE_NOT_FOUND")
    @APIResponse(responseCode = "409", description = "ALREADY_PURCHASED, SOLD_OUT or WAITLIST_FULL",
            content = @Content(mediaType = "application/problem+json", examples = @ExampleObject(name = "sold out",
                    value = "{\"type\":\"https://flashsale.io/problems/sold-out\",\"title\":\"Sold out\","
                            + "\"status\":409,\"detail\":\"the sale is sold out\",\"code\":\"SOLD_OUT\"}")))
    @APIResponse(responseCode = "410", description = "SALE_ENDED")
    @APIResponse(responseCode = "429", description = "RATE_LIMITED")
    @APIResponse(responseCode = "503", description = "UNAVAILABLE (nothing reserved)")
    public Uni<RestResponse<String>> purchase(@PathParam("saleId") String saleId,
            @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = {
                    @ExampleObject(name = "buy", value = "{}"),
                    @ExampleObject(name = "buy or queue", value = "{\"waitlist\":true}") }))
            PurchaseRequest request,
            @HeaderParam("Idempotency-Key") String idempotencyKey,
            @jakarta.ws.rs.core.Context io.vertx.core.http.HttpServerRequest http) {
        long id = SaleIds.parse(saleId);
        accesses.count(id, idempotencyKey == null ? KeyFamily.PURCHASE : KeyFamily.IDEMPOTENCY);
        if (request == null) {
            throw ApiException.invalid("body", "a JSON body is required");
        }
        // the buyer is the token; a userId in the body is only accepted when it says the same
        io.flashsale.common.Access.requireSelf(caller, request.userId());
        String userId = io.flashsale.common.Access.buyer(caller);
        if (idempotencyKey != null) {
            FieldChecks.text("Idempotency-Key", idempotencyKey, 128);
        }
        var remote = http.remoteAddress();
        return purchases.purchase(id, userId, request.wantsWaitlist(), idempotencyKey,
                        remote == null ? null : remote.hostAddress())
                .map(PurchaseAnswer::toResponse);
    }
}
