package io.flashsale.order;

import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Order states of API.md. VOID is not an order: a tombstone that fences a late insert of that id
 * (see V4__fences.sql); the API answers it as "no such order".
 */
public enum OrderStatus {
    PENDING_PAYMENT, PAID, EXPIRED, CANCELLED, VOID;

    /**
     * The statuses that hold a unit of stock, defined here once: an "active" order. A buyer holds at
     * most one active order per sale (the generated column {@code orders.active_user_id} of V1 lists the
     * same statuses; OrderStatusSchemaTests checks that they agree); rebuilds count active orders,
     * the reconciler keeps their units, the bench counts them against the stock.
     */
    public static final Set<OrderStatus> ACTIVE = EnumSet.of(PENDING_PAYMENT, PAID);

    /** {@link #ACTIVE} for SQL: {@code status IN (ACTIVE_SQL)}. */
    public static final String ACTIVE_SQL = ACTIVE.stream().map(s -> "'" + s.name() + "'")
            .collect(Collectors.joining(", "));

    public boolean holdsAUnit() {
        return ACTIVE.contains(this);
    }
}
