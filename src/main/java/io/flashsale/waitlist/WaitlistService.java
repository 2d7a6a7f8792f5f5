package io.flashsale.waitlist;

import io.flashsale.common.ApiException;
import io.flashsale.common.OrderIds;
import io.flashsale.hotkey.HotReads;
import io.flashsale.hotkey.KeyFamily;
import io.flashsale.sale.SaleCatalog;
import io.flashsale.sale.SaleConfig;
import io.flashsale.sale.SaleKeys;
import io.flashsale.sale.SaleService;
import io.flashsale.sale.SaleSnapshot;
import io.flashsale.sale.WaitlistChanged;
import io.flashsale.sale.lua.LeaveWaitlistScript;
import io.flashsale.sale.lua.WaitlistStatusScript;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import io.smallrye.mutiny.subscription.Cancellable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reading and leaving a sale's waitlist, and the live position stream. Joining happens in
 * purchase.lua (the same atomic step that finds the sale sold out). Streams do not poll Redis
 * blindly: a sale's waitlist version is bumped by pub/sub whenever it moves, and a stream
 * re-reads its position only then (throttled), or every {@code stream-refresh} as a safety net.
 */
@ApplicationScoped
public class WaitlistService {


    private final ReactiveRedisDataSource redis;
    private final SaleCatalog catalog;
    private final WaitlistConfig config;
    private final SaleConfig saleConfig;
    private final ConcurrentHashMap<Long, AtomicLong> versions = new ConcurrentHashMap<>();
    private final HotReads hotReads;

    public WaitlistService(ReactiveRedisDataSource redis, SaleCatalog catalog, WaitlistConfig config,
            SaleConfig saleConfig, HotReads hotReads) {
        this.hotReads = hotReads;
        this.saleConfig = saleConfig;
        this.redis = redis;
        this.catalog = catalog;
        this.config = config;
    }

    void onChange(@Observes WaitlistChanged event) {
        version(event.saleId()).incrementAndGet();
    }

    public Uni<WaitlistStatus> status(long saleId, String userId) {
        return existingSale(saleId).flatMap(sale -> read(sale.keys(), userId))
                .map(found -> found.orElseThrow(() -> notInWaitlist(userId)));
    }

    public Uni<Void> leave(long saleId, String userId) {
        return existingSale(saleId).flatMap(sale -> LeaveWaitlistScript.run(redis, sale.keys(),
                        new LeaveWaitlistScript.Args(userId, saleId, saleConfig.eventsChannel())))
                .invoke(() -> hotReads.forget(saleId, KeyFamily.WAITLIST, userId)).replaceWithVoid();
    }

    /**
     * Starting from {@code first}: position updates as they change, then one final status
     * (PROMOTED, or GONE when the buyer left or the sale closed its waitlist), then the end.
     */
    public Multi<WaitlistStatus> stream(long saleId, String userId, WaitlistStatus first) {
        return Multi.createFrom().emitter(emitter -> {
            emitter.emit(first);
            if (first.isFinal()) {
                emitter.complete();
                return;
            }
            AtomicReference<WaitlistStatus> last = new AtomicReference<>(first);
            AtomicLong seenVersion = new AtomicLong(version(saleId).get());
            long refreshEvery = Math.max(1, config.streamRefresh().toMillis() / config.streamThrottle().toMillis());
            AtomicLong ticks = new AtomicLong();
            Cancellable updates = Multi.createFrom().ticks().every(config.streamThrottle())
                    .select().where(tick -> {
                        long current = version(saleId).get();
                        boolean moved = seenVersion.getAndSet(current) != current;
                        return moved || ticks.incrementAndGet() % refreshEvery == 0;
                    })
                    .onItem().transformToUniAndConcatenate(tick -> catalog.find(saleId)
                            .map(sale -> sale.map(SaleSnapshot::keys).orElseGet(() -> new SaleKeys(saleId)))
                            .flatMap(keys -> read(keys, userId)))
                    .subscribe().with(found -> {
                        WaitlistStatus status = found.orElse(WaitlistStatus.gone());
                        if (!status.equals(last.getAndSet(status))) {
                            emitter.emit(status);
                        }
                        if (status.isFinal()) {
                            emitter.complete();
                        }
                    }, emitter::fail);
            emitter.onTermination(updates::cancel);
        });
    }

    /**
     * From Redis, or for a hot sale from this instance's memory (up to read-cache-ttl old: HotReads).
     * The waitlist and promotions live in the sale's hub (bucket 0).
     */
    private Uni<Optional<WaitlistStatus>> read(SaleKeys keys, String userId) {
        return hotReads.read(keys.saleId(), KeyFamily.WAITLIST, userId, () -> readFromRedis(keys, userId));
    }

    private Uni<Optional<WaitlistStatus>> readFromRedis(SaleKeys keys, String userId) {
        return WaitlistStatusScript.run(redis, keys, userId).map(r -> switch (r.code()) {
            case PROMOTED -> Optional.of(WaitlistStatus.promoted(OrderIds.format(r.promotedOrderId())));
            case WAITING -> Optional.of(WaitlistStatus.waiting(r.position(), r.waitlistLength()));
            case NOT_WAITING -> Optional.<WaitlistStatus>empty();
        });
    }

    private Uni<SaleSnapshot> existingSale(long saleId) {
        return catalog.find(saleId).map(sale -> sale.orElseThrow(() -> SaleService.notFound(saleId)));
    }

    private AtomicLong version(long saleId) {
        return versions.computeIfAbsent(saleId, id -> new AtomicLong());
    }

    static ApiException notInWaitlist(String userId) {
        return new ApiException(404, "NOT_IN_WAITLIST", userId + " is not on this sale's waitlist");
    }
}
