package io.flashsale.order;

import io.flashsale.common.Access;
import io.flashsale.common.ApiException;
import io.flashsale.sale.SaleIds;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * The caller's own orders, newest first: how a buyer whose 201 was lost on the network finds the
 * order anyway (API.md "Orders and payment").
 */
@Path("/api/me/orders")
@Produces(MediaType.APPLICATION_JSON)
public class MyOrdersResource {

    static final int DEFAULT_LIMIT = 20;
    static final int MAX_LIMIT = 100;

    private final SecurityIdentity caller;
    private final OrderHistory history;

    public MyOrdersResource(SecurityIdentity caller, OrderHistory history) {
        this.caller = caller;
        this.history = history;
    }

    @GET
    @RolesAllowed(Access.BUYER)
    @Operation(summary = "The caller's orders, newest first (optionally of one sale)")
    @APIResponse(responseCode = "200", description = "The orders")
    public List<OrderView> mine(@QueryParam("saleId") String saleId, @QueryParam("limit") String limit) {
        String buyer = Access.buyer(caller);
        int size = limit(limit);
        Sort newestFirst = Sort.descending("createdAt");
        Long sale = saleId == null ? null : SaleIds.parse(saleId);
        var query = sale == null
                ? OrderEntity.<OrderEntity>find("userId = ?1 and status <> ?2", newestFirst, buyer, OrderStatus.VOID)
                : OrderEntity.<OrderEntity>find("userId = ?1 and saleId = ?2 and status <> ?3", newestFirst, buyer,
                        sale, OrderStatus.VOID);
        List<OrderView> recent = query.page(Page.ofSize(size)).list().stream().map(OrderView::of).toList();
        // and the orders of sales archived long ago (OrderArchiver), merged newest first
        return Stream.concat(recent.stream(), history.ofBuyer(buyer, sale, size).stream())
                .sorted(Comparator.comparing(OrderView::createdAt).reversed()).limit(size).toList();
    }

    private static int limit(String text) {
        if (text == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int value = Integer.parseInt(text);
            if (value >= 1 && value <= MAX_LIMIT) {
                return value;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new ApiException(400, "INVALID_REQUEST", "query parameter 'limit' must be 1.." + MAX_LIMIT,
                Map.of("field", "limit"));
    }
}
