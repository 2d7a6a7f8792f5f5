package io.flashsale.order;

import java.time.Instant;

/**
 * An order whose unit is already reserved in Redis and that now has to become durable.
 * {@code promoted}: the unit came from the waitlist (a waitlist.promoted event is written too).
 * {@code generation}: the sale's rebuild generation the unit was reserved under; the write is
 * refused if the database has moved on (the sale's Redis keys were rebuilt meanwhile).
 * {@code stockBucket}: the stock bucket the unit was taken from (0 for a one-bucket sale).
 */
public record NewOrder(long id, long saleId, String userId, long amountCents, Instant createdAt, Instant remindAt,
        Instant payBy, boolean promoted, long generation, int stockBucket) {

    public static NewOrder of(long id, long saleId, String userId, long amountCents, Instant createdAt,
            java.time.Duration paymentTimeout, PaymentConfig timers, boolean promoted, long generation) {
        return of(id, saleId, userId, amountCents, createdAt, paymentTimeout, timers, promoted, generation, 0);
    }

    /** Reminder at the same fraction of the payment window as remind-after is of expire-after. */
    public static NewOrder of(long id, long saleId, String userId, long amountCents, Instant createdAt,
            java.time.Duration paymentTimeout, PaymentConfig timers, boolean promoted, long generation,
            int stockBucket) {
        long window = paymentTimeout.toMillis();
        long remindMs = Math.round(window * (timers.remindAfter().toMillis() / (double) timers.expireAfter().toMillis()));
        return new NewOrder(id, saleId, userId, amountCents, createdAt, createdAt.plusMillis(remindMs),
                createdAt.plus(paymentTimeout), promoted, generation, stockBucket);
    }
}
