package io.flashsale.order;

/**
 * Order states of API.md. PENDING_PAYMENT and PAID are "active": they hold a unit.
 * VOID is not an order: a tombstone that fences a late insert of that id (see V4__fences.sql);
 * the API answers it as "no such order".
 */
public enum OrderStatus {
    PENDING_PAYMENT, PAID, EXPIRED, CANCELLED, VOID
}
