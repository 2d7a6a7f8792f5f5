package io.flashsale.order;

import java.time.Instant;

/** An order whose unit is already reserved in Redis and that now has to become durable. */
public record NewOrder(long id, long saleId, String userId, long amountCents, Instant createdAt, Instant payBy) {
}
