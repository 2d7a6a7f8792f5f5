package io.flashsale.sale;

import static io.flashsale.common.Fields.range;
import static io.flashsale.common.Fields.required;
import static io.flashsale.common.Fields.text;

import io.flashsale.common.ApiException;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;

/** Body of POST /api/sales. Boxed types so a missing field is told apart from zero. */
@RegisterForReflection
public record SaleRequest(String sku, String title, Long priceCents, Long stock, Instant startsAt,
        Instant endsAt, Long paymentTimeoutSeconds) {

    public static final long MAX_STOCK = 10_000_000L;
    public static final long MAX_PRICE_CENTS = 100_000_000_000L;

    /** Rejects anything out of contract before a single byte is written. */
    public Sale validate(Instant now) {
        Sale sale = new Sale();
        sale.sku = text("sku", sku, 64);
        sale.title = text("title", title, 200);
        sale.priceCents = range("priceCents", priceCents, 0, MAX_PRICE_CENTS);
        sale.stock = (int) range("stock", stock, 1, MAX_STOCK);
        sale.startsAt = required("startsAt", startsAt);
        sale.endsAt = required("endsAt", endsAt);
        if (!endsAt.isAfter(startsAt)) {
            throw ApiException.invalid("endsAt", "field 'endsAt' must be after 'startsAt'");
        }
        if (!endsAt.isAfter(now)) {
            throw ApiException.invalid("endsAt", "field 'endsAt' must be in the future");
        }
        if (paymentTimeoutSeconds != null) {
            sale.paymentTimeoutSeconds = (int) range("paymentTimeoutSeconds", paymentTimeoutSeconds, 1, 7 * 86_400);
        }
        sale.createdAt = now;
        return sale;
    }
}
