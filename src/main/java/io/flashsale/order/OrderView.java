package io.flashsale.order;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.flashsale.common.OrderIds;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;

/** An order as clients see it (API.md); orderId is the TSID string form. */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OrderView(String orderId, long saleId, String userId, OrderStatus status, long amountCents,
        Instant createdAt, Instant payBy, Instant paidAt) {

    public static OrderView of(OrderEntity order) {
        return new OrderView(OrderIds.format(order.id), order.saleId, order.userId, order.status,
                order.amountCents, order.createdAt, order.payBy, order.paidAt);
    }

    public static OrderView pending(NewOrder order) {
        return new OrderView(OrderIds.format(order.id()), order.saleId(), order.userId(),
                OrderStatus.PENDING_PAYMENT, order.amountCents(), order.createdAt(), order.payBy(), null);
    }
}
