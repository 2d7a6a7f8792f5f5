package io.flashsale.sale;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.flashsale.common.ApiException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * GET /api/sales/{id}, the page the whole crowd refreshes, served without the database: the
 * sale's definition (which never changes) is cached per instance, the live figures come from
 * Redis in one round trip (sale_counters.lua), and the rendered page is reused for
 * {@code page-ttl} (1 s), so a million refreshes a second cost each instance one Redis call per
 * second per sale. The ETag lets clients revalidate for free (304).
 */
@ApplicationScoped
public class SalePage {

    private static final Duration DEFINITION_TTL = Duration.ofMinutes(10);

    /** A rendered page: the JSON body and its entity tag. */
    public record Rendered(String body, String etag) {
    }

    private final StockReservations stock;
    private final ObjectMapper json;
    private final Clock clock;
    private final Duration redisTimeout;
    private final Event<SaleKeysMissing> rebuilds;
    private final AsyncLoadingCache<Long, Optional<Sale>> definitions;
    private final AsyncCache<Long, Rendered> pages;

    public SalePage(StockReservations stock, ObjectMapper json, Clock clock, SaleConfig config,
            Event<SaleKeysMissing> rebuilds, io.flashsale.common.RedisConfig redis) {
        this.redisTimeout = redis.timeout();
        this.stock = stock;
        this.json = json;
        this.clock = clock;
        this.rebuilds = rebuilds;
        this.definitions = Caffeine.newBuilder()
                .expireAfterWrite(DEFINITION_TTL)
                .maximumSize(10_000)
                .executor(Infrastructure.getDefaultWorkerPool())
                .buildAsync(id -> QuarkusTransaction.requiringNew().call(() -> Optional.ofNullable(Sale.<Sale>findById(id))
                        .map(SalePage::detached)));
        this.pages = Caffeine.newBuilder()
                .expireAfterWrite(config.pageTtl())
                .maximumSize(10_000)
                .buildAsync();
    }

    public Uni<Rendered> render(long saleId) {
        // dependent stages: a client hanging up must not cancel the shared cached futures
        return Uni.createFrom().completionStage(() -> pages.get(saleId,
                (id, executor) -> build(id).subscribeAsCompletionStage()).thenApply(page -> page));
    }

    private Uni<Rendered> build(long saleId) {
        return Uni.createFrom().completionStage(() -> definitions.get(saleId).thenApply(sale -> sale))
                .flatMap(found -> {
                    if (found.isEmpty()) {
                        definitions.synchronous().invalidate(saleId); // it may be created later
                        return Uni.createFrom().failure(SaleService.notFound(saleId));
                    }
                    Sale sale = found.get();
                    return stock.counters(saleId, sale.buckets).ifNoItem().after(redisTimeout).fail()
                            .map(counters -> {
                                if (!counters.primed()) {
                                    rebuilds.fireAsync(new SaleKeysMissing(saleId));
                                    throw ApiException.unavailable("the sale's live figures are being restored, try again shortly");
                                }
                                return render(sale, counters);
                            });
                });
    }

    private Rendered render(Sale sale, StockReservations.Counters counters) {
        Instant now = clock.instant();
        SaleView view = new SaleView(sale.id, sale.sku, sale.title, sale.priceCents, sale.stock,
                counters.available(), counters.reserved(), counters.paid(), counters.waitlistLength(),
                sale.startsAt, sale.endsAt, sale.paymentTimeoutSeconds, SaleState.of(sale, counters.available(), now),
                sale.buckets);
        try {
            String body = json.writeValueAsString(view);
            CRC32 crc = new CRC32();
            crc.update(body.getBytes(StandardCharsets.UTF_8));
            return new Rendered(body, "\"" + Long.toHexString(crc.getValue()) + "-" + Integer.toHexString(body.length()) + "\"");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A copy outside any persistence context, safe to share between threads for minutes. */
    private static Sale detached(Sale managed) {
        Sale sale = new Sale();
        sale.id = managed.id;
        sale.sku = managed.sku;
        sale.title = managed.title;
        sale.priceCents = managed.priceCents;
        sale.stock = managed.stock;
        sale.startsAt = managed.startsAt;
        sale.endsAt = managed.endsAt;
        sale.paymentTimeoutSeconds = managed.paymentTimeoutSeconds;
        sale.createdAt = managed.createdAt;
        sale.buckets = managed.buckets;
        return sale;
    }
}
