package io.flashsale.sale;

import static io.flashsale.common.FieldChecks.range;
import static io.flashsale.common.FieldChecks.required;
import static io.flashsale.common.FieldChecks.text;

import io.flashsale.common.ApiException;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;

/** Body of POST /api/sales. Boxed types so a missing field is told apart from zero. */
@RegisterForReflection
public record SaleRequest(String sku, String title, Long priceCents, Long stock, Instant startsAt,
        Instant endsAt, Long paymentTimeoutSeconds, Long buckets) {

    public static final long MAX_STOCK = 10_000_000L;
    public static final long MAX_PRICE_CENTS = 100_000_000_000L;
    /** DATETIME covers years 1000..9999; the contract accepts 2000..2999, far inside it. */
    static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
    static final Instant LATEST = Instant.parse("3000-01-01T00:00:00Z");

    /** Rejects anything out of contract before a single byte is written. */
    public Sale validate(Instant now) {
        Sale sale = new Sale();
        sale.sku = text("sku", sku, 64);
        sale.title = text("title", title, 200);
        sale.priceCents = range("priceCents", priceCents, 0, MAX_PRICE_CENTS);
        sale.stock = (int) range("stock", stock, 1, MAX_STOCK);
        sale.startsAt = instant("startsAt", startsAt);
        sale.endsAt = instant("endsAt", endsAt);
        if (!endsAt.isAfter(startsAt)) {
            throw ApiException.invalid("endsAt", "field 'endsAt' must be after 'startsAt'");
        }
        if (!endsAt.isAfter(now)) {
            throw ApiException.invalid("endsAt", "field 'endsAt' must be in the future");
        }
        if (paymentTimeoutSeconds != null) {
            sale.paymentTimeoutSeconds = (int) range("paymentTimeoutSeconds", paymentTimeoutSeconds, 1, 7 * 86_400);
        }
        if (buckets != null) {
            sale.buckets = (int) range("buckets", buckets, 1, SaleKeys.MAX_BUCKETS);
            if (sale.buckets > sale.stock) {
                throw ApiException.invalid("buckets", "field 'buckets' must not exceed 'stock'");
            }
        }
        sale.createdAt = now;
        return sale;
    }

    private static Instant instant(String field, Instant value) {
        required(field, value);
        if (value.isBefore(EARLIEST) || !value.isBefore(LATEST)) {
            throw ApiException.invalid(field, "field '" + field + "' must be within the years 2000..2999");
        }
        return value;
    }
}
