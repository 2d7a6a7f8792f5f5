package io.flashsale.order;

import io.flashsale.sale.SaleCatalog;
import io.flashsale.sale.SaleSnapshot;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Turns a unit that release_or_promote.lua handed to the waitlist head into that buyer's
 * PENDING_PAYMENT order, written like any other (micro-batched, with created + promoted events).
 * If the write fails the reservation stays in Redis and the reconciler completes it later.
 */
@ApplicationScoped
public class WaitlistPromotionWriter {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final SaleCatalog catalog;
    private final OrderBatchWriter writer;
    private final PaymentConfig timers;
    private final Clock clock;

    public WaitlistPromotionWriter(SaleCatalog catalog, OrderBatchWriter writer, PaymentConfig timers, Clock clock) {
        this.catalog = catalog;
        this.writer = writer;
        this.timers = timers;
        this.clock = clock;
    }

    /** Blocks until the promoted order is committed; throws if it could not be. */
    public void complete(long saleId, String userId, long orderId, long generation, int bucket) throws Exception {
        SaleSnapshot sale = catalog.find(saleId).await().atMost(WAIT)
                .orElseThrow(() -> new IllegalStateException("sale " + saleId + " vanished"));
        submit(sale, userId, orderId, generation, bucket).toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Queues the promoted order without waiting (for callers on an event loop or a writer thread). */
    public CompletionStage<Void> submit(SaleSnapshot sale, String userId, long orderId, long generation,
            int bucket) {
        NewOrder order = NewOrder.of(orderId, sale.id(), userId, sale.priceCents(),
                clock.instant().truncatedTo(ChronoUnit.MICROS), sale.paymentTimeout(), timers, true, generation,
                bucket);
        return writer.submit(order);
    }
}
