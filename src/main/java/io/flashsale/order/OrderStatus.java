package io.flashsale.order;

/** Order states of API.md. PENDING_PAYMENT and PAID are "active": they hold a unit. */
public enum OrderStatus {
    PENDING_PAYMENT, PAID, EXPIRED, CANCELLED
}
