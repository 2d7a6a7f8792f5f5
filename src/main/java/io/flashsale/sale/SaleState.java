package io.flashsale.sale;

import java.time.Instant;

/** The state a client sees for a sale (API.md). */
public enum SaleState {
    SCHEDULED, ACTIVE, SOLD_OUT, ENDED;

    public static SaleState of(Sale sale, long available, Instant now) {
        if (!now.isBefore(sale.endsAt)) {
            return ENDED;
        }
        if (now.isBefore(sale.startsAt)) {
            return SCHEDULED;
        }
        return available > 0 ? ACTIVE : SOLD_OUT;
    }
}
