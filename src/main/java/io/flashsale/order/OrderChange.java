package io.flashsale.order;

import io.flashsale.common.ApiException;

/**
 * What a payment or cancel did, decided inside one transaction. A refusal may still have
 * committed something (a refund-required event, an overdue order expired on the spot), so it is
 * returned rather than thrown: throwing would roll that back. {@code freesUnit}: the order left
 * the active states, so after the commit its unit goes to the waitlist head or back on sale.
 */
public record OrderChange(OrderEntity order, boolean changed, ApiException refusal, boolean freesUnit) {

    public static OrderChange changed(OrderEntity order) {
        return new OrderChange(order, true, null, false);
    }

    public static OrderChange freed(OrderEntity order) {
        return new OrderChange(order, true, null, true);
    }

    public static OrderChange unchanged(OrderEntity order) {
        return new OrderChange(order, false, null, false);
    }

    public static OrderChange refused(OrderEntity order, ApiException refusal) {
        return new OrderChange(order, false, refusal, false);
    }

    /** Refused, but the order was expired in the same transaction: its unit must be freed. */
    public static OrderChange expiredAndRefused(OrderEntity order, ApiException refusal) {
        return new OrderChange(order, true, refusal, true);
    }

    public OrderView viewOrThrow() {
        if (refusal != null) {
            throw refusal;
        }
        return OrderView.of(order);
    }
}
