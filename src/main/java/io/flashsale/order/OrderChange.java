package io.flashsale.order;

import io.flashsale.common.ApiException;

/**
 * What a payment or cancel did, decided inside one transaction. A refusal may still have
 * committed something (a refund-required event, an overdue order expired on the spot), so it is
 * returned rather than thrown: throwing would roll that back. {@code freesUnit}: the order left
 * the active states, so after the commit its unit goes to the waitlist head or back on sale.
 */
public record OrderChange(PurchaseOrder order, boolean changed, ApiException refusal, boolean freesUnit) {

    public static OrderChange changed(PurchaseOrder order) {
        return new OrderChange(order, true, null, false);
    }

    public static OrderChange freed(PurchaseOrder order) {
        return new OrderChange(order, true, null, true);
    }

    public static OrderChange unchanged(PurchaseOrder order) {
        return new OrderChange(order, false, null, false);
    }

    public static OrderChange refused(PurchaseOrder order, ApiException refusal) {
        return new OrderChange(order, false, refusal, false);
    }

    /** Refused, but the order was expired in the same transaction: its unit must be freed. */
    public static OrderChange expiredAndRefused(PurchaseOrder order, ApiException refusal) {
        return new OrderChange(order, true, refusal, true);
    }

    public OrderView viewOrThrow() {
        if (refusal != null) {
            throw refusal;
        }
        return OrderView.of(order);
    }
}
