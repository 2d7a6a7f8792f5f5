package io.flashsale.sale;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.flashsale.order.PaymentConfig;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The per-instance view of sales that lets the hot path answer without a network hop:
 * sale definitions cached for a few seconds (they never change), and a "sold out" flag per
 * sale that Redis sets and clears over pub/sub. The flag also expires on its own after
 * {@code flashsale.sale.sold-out-ttl}, so a lost pub/sub message can only delay, never
 * block, buyers when units come back.
 */
@ApplicationScoped
public class SaleCatalog {

    private static final Logger LOG = Logger.getLogger(SaleCatalog.class);
    private static final Duration RESUBSCRIBE_DELAY = Duration.ofMillis(500);

    private final ReactiveRedisDataSource redis;
    private final Clock clock;
    private final SaleConfig config;
    private final Event<WaitlistChanged> waitlistChanged;
    private final SoldOutBuyers soldOutBuyers;
    private final AsyncLoadingCache<Long, Optional<SaleSnapshot>> sales;
    /** saleId -> epoch millis until which "sold out" is trusted. */
    private final ConcurrentHashMap<Long, Long> soldOutUntil = new ConcurrentHashMap<>();
    private volatile boolean stopping;

    public SaleCatalog(ReactiveRedisDataSource redis, Clock clock, SaleConfig config, PaymentConfig payment,
            Event<WaitlistChanged> waitlistChanged, SoldOutBuyers soldOutBuyers) {
        this.waitlistChanged = waitlistChanged;
        this.soldOutBuyers = soldOutBuyers;
        this.redis = redis;
        this.clock = clock;
        this.config = config;
        this.sales = Caffeine.newBuilder()
                .expireAfterWrite(config.cacheTtl())
                .maximumSize(10_000)
                .executor(Infrastructure.getDefaultWorkerPool())
                .buildAsync(id -> QuarkusTransaction.requiringNew().call(() -> Optional
                        .ofNullable(Sale.<Sale>findById(id))
                        .map(sale -> SaleSnapshot.of(sale, payment.expireAfter()))));
    }

    void subscribe(@Observes StartupEvent event) {
        listen();
    }

    /**
     * The subscription is one connection to one Redis node (on a cluster, any node hears every
     * PUBLISH). When that connection ends (the node died, failed over or restarted) the instance
     * subscribes again, on whichever node answers; meanwhile the local flags expire by themselves.
     */
    private void listen() {
        redis.pubsub(String.class).subscribe(config.eventsChannel())
                .subscribe().with(this::onSaleEvent,
                        failure -> resubscribe("failed: " + failure),
                        () -> resubscribe("ended"));
    }

    private void resubscribe(String why) {
        if (stopping) {
            return;
        }
        LOG.warnf("sale events subscription %s; subscribing again", why);
        Uni.createFrom().voidItem().onItem().delayIt().by(RESUBSCRIBE_DELAY)
                .subscribe().with(ignored -> listen(), failure -> resubscribe("failed: " + failure));
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
    }

    void onSaleEvent(String message) {
        int colon = message.indexOf(':');
        if (colon < 0) {
            return;
        }
        long saleId;
        try {
            saleId = Long.parseLong(message.substring(colon + 1));
        } catch (NumberFormatException e) {
            return;
        }
        switch (message.substring(0, colon)) {
            case "soldout" -> markSoldOut(saleId);
            case "available" -> {
                soldOutUntil.remove(saleId);
                soldOutBuyers.forget(saleId);
            }
            case "waitlist" -> {
                // a unit handed to the waitlist's head made a new buyer (or someone left)
                soldOutBuyers.forget(saleId);
                waitlistChanged.fire(new WaitlistChanged(saleId));
            }
            default -> LOG.debugf("ignoring sale event %s", message);
        }
    }

    /**
     * The cached definition when this instance already has it (no loading, no Uni): lets the
     * hot path answer sold-out / not-started / ended without building a reactive pipeline.
     */
    public Optional<SaleSnapshot> cachedNow(long saleId) {
        var loaded = sales.getIfPresent(saleId);
        if (loaded == null || !loaded.isDone() || loaded.isCompletedExceptionally()) {
            return Optional.empty();
        }
        return loaded.getNow(Optional.empty());
    }

    public Uni<Optional<SaleSnapshot>> find(long saleId) {
        // a dependent stage: a buyer hanging up cancels only their own wait, never the cache's
        // shared loading future that every concurrent buyer of this sale is waiting on
        return Uni.createFrom().completionStage(() -> sales.get(saleId).thenApply(sale -> sale));
    }

    /**
     * SOLD_OUT is the whole answer for this buyer: the sale is known sold out here and the buyer
     * certainly holds no order in it (else ALREADY_PURCHASED wins, which only Redis can tell).
     */
    public boolean isSoldOutFor(SaleSnapshot sale, String userId) {
        return isSoldOut(sale.id()) && soldOutBuyers.certainlyNotABuyer(sale.keys(), sale.stock(), userId);
    }

    public boolean isSoldOut(long saleId) {
        Long until = soldOutUntil.get(saleId);
        if (until == null) {
            return false;
        }
        if (until < clock.millis()) {
            soldOutUntil.remove(saleId, until);
            return false;
        }
        return true;
    }

    public void markSoldOut(long saleId) {
        soldOutUntil.put(saleId, clock.millis() + config.soldOutTtl().toMillis());
    }
}
