package io.flashsale.order;

import io.flashsale.common.ApiException;
import io.flashsale.common.OrderIds;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** Buyer endpoints for orders (API.md "Orders and payment"). */
@Path("/api/orders")
@Produces(MediaType.APPLICATION_JSON)
public class OrderResource {

    @GET
    @Path("/{orderId}")
    @Operation(summary = "An order and its payment state")
    @APIResponse(responseCode = "200", description = "The order")
    @APIResponse(responseCode = "404", description = "ORDER_NOT_FOUND")
    public OrderView get(@PathParam("orderId") String orderId) {
        PurchaseOrder order = OrderIds.parse(orderId)
                .map(id -> PurchaseOrder.<PurchaseOrder>findById(id))
                .orElse(null);
        if (order == null) {
            throw new ApiException(404, "ORDER_NOT_FOUND", "no order with id " + orderId);
        }
        return OrderView.of(order);
    }
}
