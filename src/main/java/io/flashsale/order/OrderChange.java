package io.flashsale.order;

import io.flashsale.common.ApiException;

/**
 * What a payment or cancel did, decided inside one transaction. A refusal may still have
 * committed something (a refund-required event), so it is returned rather than thrown:
 * throwing would roll that event back.
 */
public record OrderChange(PurchaseOrder order, boolean changed, ApiException refusal) {

    public static OrderChange changed(PurchaseOrder order) {
        return new OrderChange(order, true, null);
    }

    public static OrderChange unchanged(PurchaseOrder order) {
        return new OrderChange(order, false, null);
    }

    public static OrderChange refused(PurchaseOrder order, ApiException refusal) {
        return new OrderChange(order, false, refusal);
    }

    public OrderView viewOrThrow() {
        if (refusal != null) {
            throw refusal;
        }
        return OrderView.of(order);
    }
}
