package io.flashsale.sale;

import java.time.Duration;
import java.time.Instant;

/** What the purchase path needs to know about a sale, held in each instance's local cache. */
public record SaleSnapshot(long id, long priceCents, int stock, Instant startsAt, Instant endsAt,
        Duration paymentTimeout, int buckets) {

    public SaleSnapshot(long id, long priceCents, int stock, Instant startsAt, Instant endsAt,
            Duration paymentTimeout) {
        this(id, priceCents, stock, startsAt, endsAt, paymentTimeout, 1);
    }

    public static SaleSnapshot of(Sale sale, Duration defaultPaymentTimeout) {
        Duration timeout = sale.paymentTimeoutSeconds == null
                ? defaultPaymentTimeout
                : Duration.ofSeconds(sale.paymentTimeoutSeconds);
        return new SaleSnapshot(sale.id, sale.priceCents, sale.stock, sale.startsAt, sale.endsAt, timeout,
                sale.buckets);
    }

    public SaleKeys keys() {
        return new SaleKeys(id, buckets);
    }

    public boolean notStartedAt(Instant now) {
        return now.isBefore(startsAt);
    }

    public boolean endedAt(Instant now) {
        return !now.isBefore(endsAt);
    }
}
