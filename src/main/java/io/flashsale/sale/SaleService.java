package io.flashsale.sale;

import io.flashsale.common.ApiException;
import io.flashsale.sale.lua.PrimeSaleScript;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Creating sales (DB row + Redis priming, all or nothing); the page is {@link SalePage}. */
@ApplicationScoped
public class SaleService {


    private final ReactiveRedisDataSource redis;
    private final EntityManager em;
    private final Clock clock;
    private final SaleConfig config;
    private final StockReservations stock;
    private final Duration redisTimeout;

    public SaleService(ReactiveRedisDataSource redis, EntityManager em, Clock clock, SaleConfig config,
            StockReservations stock, io.flashsale.common.RedisConfig redisConfig) {
        this.redisTimeout = redisConfig.timeout();
        this.redis = redis;
        this.stock = stock;
        this.em = em;
        this.clock = clock;
        this.config = config;
    }

    /**
     * The row is inserted and Redis primed inside one DB transaction: if priming fails the
     * insert rolls back, so a sale exists only when buyers can actually buy it.
     */
    @Transactional
    public SaleView create(SaleRequest request) {
        Sale sale = request.validate(clock.instant());
        sale.persistAndFlush();
        prime(sale);
        return view(sale, sale.stock, 0, 0, 0);
    }

    /**
     * The newest sales first, with their live figures (one Redis round trip each, concurrently);
     * a sale whose figures Redis cannot give is listed without them.
     */
    public List<SaleListItem> list(int limit) {
        List<Sale> newest = Sale.<Sale>findAll(io.quarkus.panache.common.Sort.descending("id"))
                .page(io.quarkus.panache.common.Page.ofSize(limit)).list();
        if (newest.isEmpty()) {
            return List.of();
        }
        List<io.smallrye.mutiny.Uni<StockReservations.Counters>> figures = newest.stream()
                .map(sale -> stock.counters(sale.id, sale.buckets).ifNoItem().after(redisTimeout).fail()
                        .onFailure().recoverWithNull())
                .toList();
        List<StockReservations.Counters> counters = io.smallrye.mutiny.Uni.join().all(figures).andFailFast()
                .await().atMost(redisTimeout.plusSeconds(1));
        Instant now = clock.instant();
        List<SaleListItem> items = new java.util.ArrayList<>(newest.size());
        for (int i = 0; i < newest.size(); i++) {
            items.add(SaleListItem.of(newest.get(i), counters.get(i), now));
        }
        return items;
    }

    public static ApiException notFound(Object saleId) {
        return new ApiException(404, "SALE_NOT_FOUND", "no sale with id " + saleId);
    }

    private void prime(Sale sale) {
        SaleKeys keys = new SaleKeys(sale.id, sale.buckets);
        if (keys.buckets() > 1) {
            // a database restored from backup may reuse ids: no sold-out state is inherited
            redis.key(String.class).del(keys.levels(), keys.soldOut()).await().atMost(redisTimeout);
        }
        for (int b = 0; b < keys.buckets(); b++) {
            prime(sale, b, share(sale, b), true, 0, 0);
        }
    }

    /** Bucket {@code b}'s part of the stock: the stock split as evenly as it goes, the first buckets one more. */
    public static int share(Sale sale, int bucket) {
        return sale.stock / sale.buckets + (bucket < sale.stock % sale.buckets ? 1 : 0);
    }

    /** Loads a one-bucket sale into Redis (see the bucket form). */
    public void prime(Sale sale, long available, boolean newSale, long generation, long paid) {
        prime(sale, 0, available, newSale, generation, paid);
    }

    /**
     * Loads one stock bucket of the sale into Redis with the given available units. A new sale
     * drops anything Redis still holds under its id; a rebuild never overwrites live stock (SET NX).
     * Each bucket's meta carries the whole window and the bucket's own share as 'stock'.
     */
    public void prime(Sale sale, int bucket, long available, boolean newSale, long generation, long paid) {
        PrimeSaleScript.Args args = primeArgs(sale, bucket, available, newSale, generation, paid, false);
        PrimeSaleScript.run(redis, new SaleKeys(sale.id, sale.buckets).bucket(bucket), args).await().atMost(redisTimeout);
    }

    /** A rebuild of one bucket of a sale with buckets: an empty bucket starts with an odd flip count. */
    public void primeRebuilt(Sale sale, int bucket, long available, long generation, long paid) {
        PrimeSaleScript.Args args = primeArgs(sale, bucket, available, false, generation, paid, available <= 0);
        PrimeSaleScript.run(redis, new SaleKeys(sale.id, sale.buckets).bucket(bucket), args).await().atMost(redisTimeout);
    }

    private PrimeSaleScript.Args primeArgs(Sale sale, int bucket, long available, boolean newSale, long generation,
            long paid, boolean rebuiltEmpty) {
        Instant dropAfter = sale.endsAt.plus(config.redisRetention());
        return new PrimeSaleScript.Args(sale.startsAt.toEpochMilli(), sale.endsAt.toEpochMilli(), sale.priceCents,
                sale.buckets > 1 ? share(sale, bucket) : sale.stock, sale.paymentTimeoutSeconds,
                dropAfter.getEpochSecond(), available, newSale, generation, paid, rebuiltEmpty);
    }

    private SaleView view(Sale sale, long available, long reserved, long paid, long waitlistLength) {
        return new SaleView(sale.id, sale.sku, sale.title, sale.priceCents, sale.stock, available, reserved,
                paid, waitlistLength, sale.startsAt, sale.endsAt, sale.paymentTimeoutSeconds,
                SaleState.of(sale, available, clock.instant()), sale.buckets);
    }
}
