package io.flashsale.waitlist;

import io.flashsale.common.ApiException;
import io.flashsale.common.LuaScript;
import io.flashsale.common.OrderIds;
import io.flashsale.sale.SaleCatalog;
import io.flashsale.sale.SaleKeys;
import io.flashsale.sale.SaleService;
import io.flashsale.sale.WaitlistChanged;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reading and leaving a sale's waitlist, and the live position stream. Joining happens in
 * purchase.lua (the same atomic step that finds the sale sold out). Streams do not poll Redis
 * blindly: a sale's waitlist version is bumped by pub/sub whenever it moves, and a stream
 * re-reads its position only then (throttled), or every {@code stream-refresh} as a safety net.
 */
@ApplicationScoped
public class WaitlistService {

    private static final LuaScript STATUS = LuaScript.load("waitlist_status");
    private static final LuaScript LEAVE = LuaScript.load("leave_waitlist");

    private final ReactiveRedisDataSource redis;
    private final SaleCatalog catalog;
    private final WaitlistConfig config;
    private final ConcurrentHashMap<Long, AtomicLong> versions = new ConcurrentHashMap<>();

    public WaitlistService(ReactiveRedisDataSource redis, SaleCatalog catalog, WaitlistConfig config) {
        this.redis = redis;
        this.catalog = catalog;
        this.config = config;
    }

    void onChange(@Observes WaitlistChanged event) {
        version(event.saleId()).incrementAndGet();
    }

    public Uni<WaitlistStatus> status(long saleId, String userId) {
        return existingSale(saleId).flatMap(ignored -> read(saleId, userId))
                .map(found -> found.orElseThrow(() -> notInWaitlist(userId)));
    }

    public Uni<Void> leave(long saleId, String userId) {
        return existingSale(saleId).flatMap(ignored -> LEAVE.run(redis, List.of(new SaleKeys(saleId).waitlist()),
                List.of(userId, Long.toString(saleId), SaleKeys.EVENTS_CHANNEL))).replaceWithVoid();
    }

    /**
     * Position updates as they change, then one PROMOTED status, then the end. Ends too when
     * the buyer is no longer waiting (left, or the sale ended and its waitlist was closed).
     * Fails with NOT_IN_WAITLIST before streaming if the buyer is not waiting at all.
     */
    public Uni<Multi<WaitlistStatus>> stream(long saleId, String userId) {
        return status(saleId, userId).map(first -> {
            AtomicLong seenVersion = new AtomicLong(version(saleId).get());
            long refreshEvery = Math.max(1, config.streamRefresh().toMillis() / config.streamThrottle().toMillis());
            AtomicLong ticks = new AtomicLong();
            Multi<WaitlistStatus> updates = Multi.createFrom().ticks().every(config.streamThrottle())
                    .select().where(tick -> {
                        long current = version(saleId).get();
                        boolean moved = seenVersion.getAndSet(current) != current;
                        return moved || ticks.incrementAndGet() % refreshEvery == 0;
                    })
                    .onItem().transformToUniAndConcatenate(tick -> read(saleId, userId))
                    .map(found -> found.orElse(WaitlistStatus.gone()));
            AtomicBoolean finished = new AtomicBoolean();
            return Multi.createBy().concatenating().streams(Multi.createFrom().item(first), updates)
                    .skip().repetitions()
                    // up to and including the first final status (promoted, or gone)
                    .select().first(status -> !finished.getAndSet(status.isFinal()));
        });
    }

    private Uni<Optional<WaitlistStatus>> read(long saleId, String userId) {
        SaleKeys keys = new SaleKeys(saleId);
        return STATUS.run(redis, List.of(keys.waitlist(), keys.promoted()), List.of(userId)).map(r -> switch (r.get(0)
                .toInteger()) {
            case 1 -> Optional.of(WaitlistStatus.promoted(OrderIds.format(Long.parseLong(r.get(1).toString()))));
            case 2 -> Optional.of(WaitlistStatus.waiting(r.get(1).toLong(), r.get(2).toLong()));
            default -> Optional.<WaitlistStatus>empty();
        });
    }

    private Uni<Object> existingSale(long saleId) {
        return catalog.find(saleId).map(sale -> sale.orElseThrow(() -> SaleService.notFound(saleId)));
    }

    private AtomicLong version(long saleId) {
        return versions.computeIfAbsent(saleId, id -> new AtomicLong());
    }

    static ApiException notInWaitlist(String userId) {
        return new ApiException(404, "NOT_IN_WAITLIST", userId + " is not on this sale's waitlist");
    }
}
