package io.flashsale.order;

import io.flashsale.common.Access;
import io.flashsale.common.ApiException;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import io.flashsale.common.OrderIds;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * Orders (API.md "Orders and payment"): a buyer reads and cancels their own, an operator any;
 * payment confirmation comes only from the payment provider's service account.
 */
@Path("/api/orders")
@Produces(MediaType.APPLICATION_JSON)
public class OrderResource {

    private final OrderService orders;
    private final SecurityIdentity caller;
    private final OrderHistory history;

    public OrderResource(OrderService orders, SecurityIdentity caller, OrderHistory history) {
        this.orders = orders;
        this.caller = caller;
        this.history = history;
    }

    @GET
    @Path("/{orderId}")
    @RolesAllowed({ Access.BUYER, Access.OPERATOR })
    @Operation(summary = "An order and its payment state")
    @APIResponse(responseCode = "200", description = "The order")
    @APIResponse(responseCode = "404", description = "ORDER_NOT_FOUND")
    public OrderView get(@PathParam("orderId") String orderId) {
        return visibleLiveOrArchived(orderId);
    }

    /** The order, live or archived, if the caller may see it (403 another buyer's, 404 none). */
    private OrderView visibleLiveOrArchived(String orderId) {
        Optional<Long> id = OrderIds.parse(orderId);
        OrderEntity order = id.map(known -> OrderEntity.<OrderEntity>findById(known)).orElse(null);
        if (order == null && id.isPresent()) {
            // its sale ended long ago: the order was archived (OrderArchiver), it is still the buyer's
            OrderView archived = history.find(id.get()).orElse(null);
            if (archived != null) {
                Access.requireOwnerOrOperator(caller, archived.userId());
                return archived;
            }
        }
        return OrderView.of(visible(orderId));
    }

    /** The order if the caller may see it; another buyer's order is 403, a tombstone is no order. */
    private OrderEntity visible(String orderId) {
        OrderEntity order = OrderIds.parse(orderId)
                .map(id -> OrderEntity.<OrderEntity>findById(id))
                .orElse(null);
        if (order == null || order.status == OrderStatus.VOID) { // a tombstone is not an order
            throw new ApiException(404, "ORDER_NOT_FOUND", "no order with id " + orderId);
        }
        Access.requireOwnerOrOperator(caller, order.userId);
        return order;
    }

    @POST
    @Path("/{orderId}/payment")
    @RolesAllowed(Access.PAYMENTS)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Pay a PENDING_PAYMENT order; repeating the same paymentId is harmless")
    @APIResponse(responseCode = "200", description = "The order, PAID")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST or AMOUNT_MISMATCH")
    @APIResponse(responseCode = "404", description = "ORDER_NOT_FOUND")
    @APIResponse(responseCode = "409", description = "ALREADY_PAID, PAYMENT_ID_IN_USE, or ORDER_NOT_PAYABLE"
            + " (expired, cancelled or past payBy: a refund is requested)")
    public OrderView pay(@PathParam("orderId") String orderId,
            @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(
                    name = "payment", value = "{\"paymentId\":\"psp-8842\",\"amountCents\":49900}")))
            PaymentRequest request) {
        if (request == null) {
            throw ApiException.invalid("body", "a JSON body is required");
        }
        return orders.pay(orderId, request);
    }

    @POST
    @Path("/{orderId}/cancel")
    @RolesAllowed({ Access.BUYER, Access.OPERATOR })
    @Operation(summary = "Cancel a PENDING_PAYMENT order; its unit goes back on sale")
    @APIResponse(responseCode = "200", description = "The order, CANCELLED")
    @APIResponse(responseCode = "404", description = "ORDER_NOT_FOUND")
    @APIResponse(responseCode = "409", description = "ORDER_NOT_CANCELLABLE")
    public OrderView cancel(@PathParam("orderId") String orderId) {
        visibleLiveOrArchived(orderId); // the owner never changes: checked before the locked transition
        return orders.cancel(orderId);
    }
}
