package io.flashsale.outbox;

/** Event types of API.md, as they appear in the {@code type} field and the ce_type header. */
public enum EventType {
    ORDER_CREATED("flashsale.order.created"),
    ORDER_PAYMENT_REMINDER("flashsale.order.payment-reminder"),
    ORDER_PAID("flashsale.order.paid"),
    ORDER_EXPIRED("flashsale.order.expired"),
    ORDER_CANCELLED("flashsale.order.cancelled"),
    WAITLIST_PROMOTED("flashsale.waitlist.promoted"),
    PAYMENT_REFUND_REQUIRED("flashsale.payment.refund-required");

    private final String wireName;

    EventType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
