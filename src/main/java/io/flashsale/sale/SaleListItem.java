package io.flashsale.sale;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;

/**
 * One row of GET /api/sales (operator). The live figures come from Redis and are null when Redis
 * does not hold the sale (its keys expired after the sale, or were lost and not yet rebuilt); the
 * state is then only known outside the sale window.
 */
@RegisterForReflection
public record SaleListItem(long id, String sku, String title, long priceCents, int stock, Long available,
        Long reserved, Long paid, Long waitlistLength, Instant startsAt, Instant endsAt,
        Integer paymentTimeoutSeconds, SaleState state, int buckets) {

    static SaleListItem of(Sale sale, StockReservations.Counters counters, Instant now) {
        if (counters != null && counters.primed()) {
            return new SaleListItem(sale.id, sale.sku, sale.title, sale.priceCents, sale.stock, counters.available(),
                    counters.reserved(), counters.paid(), counters.waitlistLength(), sale.startsAt, sale.endsAt,
                    sale.paymentTimeoutSeconds, SaleState.of(sale, counters.available(), now), sale.buckets);
        }
        SaleState byTime = !now.isBefore(sale.endsAt) ? SaleState.ENDED
                : now.isBefore(sale.startsAt) ? SaleState.SCHEDULED : null;
        return new SaleListItem(sale.id, sale.sku, sale.title, sale.priceCents, sale.stock, null, null, null, null,
                sale.startsAt, sale.endsAt, sale.paymentTimeoutSeconds, byTime, sale.buckets);
    }
}
