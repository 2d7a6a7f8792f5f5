package io.flashsale.sale;

import com.google.common.hash.BloomFilter;
import com.google.common.hash.Funnels;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.ScanArgs;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Who holds an order in a sale this instance knows is sold out, answered from memory.
 *
 * <p>After the sell-out the crowd keeps asking, and almost none of them bought: they must hear
 * SOLD_OUT without a trip to Redis. But a buyer who did buy (and maybe lost their 201) must hear
 * ALREADY_PURCHASED with their order, never SOLD_OUT (API.md). So once a sale is sold out, each
 * instance loads a Bloom filter of the sale's buyers (the Redis {@code buyers} hash, of every
 * stock bucket for a sale with buckets, scanned in pages), sized from the stock: a buyer the filter has certainly never seen is told SOLD_OUT from
 * memory; a possible buyer (every real one, plus about {@code buyer-filter-fpp} of the others)
 * goes to Redis, whose purchase script checks the buyer before the stock.
 *
 * <p>While a sale is sold out its buyers change only when a unit is handed to the waitlist's head
 * ({@code waitlist:ID} on the sale-events channel: the filter is dropped and loaded again) or comes
 * back to stock ({@code available:ID}: the sold-out flag and the filter are dropped). A filter is
 * also never older than {@code buyer-filter-max-age}, which bounds the harm of a lost pub/sub
 * message. While a filter loads, or if loading failed, everyone goes to Redis: slower, never wrong.
 */
@ApplicationScoped
public class SoldOutBuyers {

    private static final Logger LOG = Logger.getLogger(SoldOutBuyers.class);
    private static final int SCAN_PAGE = 1000;
    /** After a failed load, wait this long before the next attempt (Redis may be down). */
    private static final long RETRY_AFTER_FAILURE_MS = 1000;

    private final ReactiveRedisDataSource redis;
    private final SaleConfig config;
    private final Clock clock;
    private final ConcurrentHashMap<Long, Load> filters = new ConcurrentHashMap<>();
    private final Counter notABuyer;
    private final Counter maybeABuyer;
    private final Counter noFilter;

    public SoldOutBuyers(ReactiveRedisDataSource redis, SaleConfig config, Clock clock, MeterRegistry meters) {
        this.redis = redis;
        this.config = config;
        this.clock = clock;
        String name = "flashsale.sale.sold_out_buyer_checks";
        this.notABuyer = meters.counter(name, "answer", "not_a_buyer");
        this.maybeABuyer = meters.counter(name, "answer", "maybe_a_buyer");
        this.noFilter = meters.counter(name, "answer", "no_filter");
    }

    /**
     * True only when {@code userId} certainly holds no order in this sold-out sale (so SOLD_OUT is
     * the whole truth); false when they may, or when this instance cannot tell yet.
     */
    public boolean certainlyNotABuyer(SaleKeys keys, int stock, String userId) {
        Load load = current(keys, stock);
        if (!load.filter.isDone() || load.filter.isCompletedExceptionally()) {
            noFilter.increment();
            return false;
        }
        if (load.filter.join().mightContain(userId)) {
            maybeABuyer.increment();
            return false;
        }
        notABuyer.increment();
        return true;
    }

    /** The sale's buyers changed (or may have): the next check loads the filter again. */
    public void forget(long saleId) {
        filters.remove(saleId);
    }

    private Load current(SaleKeys keys, int stock) {
        long saleId = keys.saleId();
        long now = clock.millis();
        Load existing = filters.get(saleId);
        if (existing != null && !existing.staleAt(now, config.buyerFilterMaxAge().toMillis())) {
            return existing;
        }
        Load fresh = new Load(now, new CompletableFuture<>());
        Load installed = existing == null ? filters.putIfAbsent(saleId, fresh)
                : (filters.replace(saleId, existing, fresh) ? null : filters.get(saleId));
        if (installed != null) {
            return installed; // another request started the load
        }
        load(keys, stock, fresh);
        return fresh;
    }

    /** Every bucket's registry is read (one bucket: the sale's only buyers hash). */
    private void load(SaleKeys keys, int stock, Load load) {
        long saleId = keys.saleId();
        BloomFilter<CharSequence> filter = BloomFilter.create(Funnels.stringFunnel(StandardCharsets.UTF_8),
                Math.max(stock, 100), config.buyerFilterFpp());
        io.smallrye.mutiny.Multi.createFrom().range(0, keys.buckets())
                .onItem().transformToMultiAndConcatenate(b -> redis.hash(String.class)
                        .hscan(keys.bucket(b).buyers(), new ScanArgs().count(SCAN_PAGE)).toMulti())
                .subscribe().with(entry -> filter.put(entry.getKey()),
                        failure -> {
                            LOG.debugf("buyers of sold-out sale %d not loaded (%s): asking Redis meanwhile",
                                    saleId, failure.toString());
                            load.filter.completeExceptionally(failure);
                        },
                        () -> load.filter.complete(filter));
    }

    private record Load(long startedAtMs, CompletableFuture<BloomFilter<CharSequence>> filter) {

        boolean staleAt(long nowMs, long maxAgeMs) {
            if (filter.isCompletedExceptionally()) {
                return nowMs - startedAtMs >= RETRY_AFTER_FAILURE_MS;
            }
            return nowMs - startedAtMs >= maxAgeMs;
        }
    }
}
