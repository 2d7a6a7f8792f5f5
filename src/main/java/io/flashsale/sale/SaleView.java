package io.flashsale.sale;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;

/** Response of the sales endpoints, with live counters. */
@RegisterForReflection
public record SaleView(long id, String sku, String title, long priceCents, int stock, long available,
        long reserved, long paid, long waitlistLength, Instant startsAt, Instant endsAt,
        Integer paymentTimeoutSeconds, SaleState state, int buckets) {
}
