package io.flashsale.order;

import io.flashsale.common.Jdbc;
import io.flashsale.sale.SaleKeys;
import io.flashsale.sale.SaleRebuilder;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import io.flashsale.sale.ReservationEntry;
import io.quarkus.redis.datasource.ScanArgs;
import java.util.HashMap;
import java.util.Set;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Makes Redis agree with the database again after a process died halfway (worker role):
 * <ul>
 * <li>sale keys lost in Redis: rebuilt from the database ({@link SaleRebuilder});</li>
 * <li>a reservation older than the grace period whose order is not in the database: if the
 * buyer was promoted from the waitlist, their order is written now; otherwise the purchase died
 * between Lua and commit (or its write is still crawling) and the unit is freed, but only after
 * the order id was claimed with a VOID tombstone ({@link OrderTombstones}), so a write still in
 * flight fails instead of selling the unit twice;</li>
 * <li>a reservation whose order is EXPIRED or CANCELLED, changed longer ago than the grace
 * period: the freeing step died; it runs again (a younger change is left to its own freeing
 * step, which runs right after the commit);</li>
 * <li>a reservation whose order is PAID: the confirmation died; it is cleared;</li>
 * <li>an ended sale's waitlist is closed and emptied.</li>
 * </ul>
 * Every step is idempotent, so two workers reconciling at once do no harm. Ages are measured on
 * one clock, the Redis server's: reservations are stamped by its {@code TIME} and compared with
 * its {@code TIME}. Reservations are walked with HSCAN, so a sale with a million of them never
 * blocks Redis.
 */
@ApplicationScoped
public class ReservationReconciler {

    private static final Logger LOG = Logger.getLogger(ReservationReconciler.class);
    /** Sales that ended longer ago than this are left alone (their keys expire on their own). */
    private static final Duration LOOKBACK = Duration.ofDays(2);
    /** The scheduler identity of the reconciliation round (tests pause it by this name). */
    public static final String JOB = "reservation-reconciler";

    private final RedisDataSource redis;
    private final DataSource dataSource;
    private final SaleRebuilder rebuilder;
    private final UnitRelease unitRelease;
    private final io.flashsale.sale.StockReservations stock;
    private final LifecycleConfig config;
    private final Clock clock;
    private final AtomicLong waitlistLength = new AtomicLong();
    private final java.time.Duration redisTimeout;
    private volatile boolean stopping;

    public ReservationReconciler(RedisDataSource redis, DataSource dataSource, SaleRebuilder rebuilder,
            UnitRelease unitRelease, LifecycleConfig config, Clock clock, MeterRegistry meters,
            io.flashsale.sale.StockReservations stock, io.flashsale.common.RedisConfig redisConfig) {
        this.redisTimeout = redisConfig.timeout();
        this.stock = stock;
        Gauge.builder("flashsale.waitlist.length", waitlistLength, AtomicLong::get)
                .description("buyers waiting, over all running sales").register(meters);
        this.redis = redis;
        this.dataSource = dataSource;
        this.rebuilder = rebuilder;
        this.unitRelease = unitRelease;
        this.config = config;
        this.clock = clock;
    }

    @Scheduled(identity = JOB, every = "${flashsale.lifecycle.reconcile-interval}", delayed = "2s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void reconcileAll() {
        if (stopping) {
            return;
        }
        try {
            long waiting = 0;
            for (Map.Entry<Long, RecentSale> sale : recentSales().entrySet()) {
                if (stopping) {
                    return; // Redis and the pool are closing
                }
                reconcile(sale.getKey(), sale.getValue().ended(), sale.getValue().buckets());
                waiting += redis.sortedSet(String.class).zcard(new SaleKeys(sale.getKey(), sale.getValue().buckets())
                        .waitlist());
            }
            waitlistLength.set(waiting);
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("reconciliation round failed: %s", e.toString());
        }
    }

    /** One sale; {@code ended}: its window is over. */
    public void reconcile(long saleId, boolean ended) throws SQLException {
        reconcile(saleId, ended, bucketsOf(saleId));
    }

    /** A stale reservation: who holds it and the stock bucket it was taken from. */
    private record Stale(String userId, int bucket) {
    }

    /**
     * One sale of {@code buckets} stock buckets: each bucket's reservations are walked; a sale with
     * buckets also has its hub told every bucket's level again (a report lost with a crash).
     */
    public void reconcile(long saleId, boolean ended, int buckets) throws SQLException {
        SaleKeys keys = new SaleKeys(saleId, buckets);
        rebuilder.rebuildIfMissing(saleId, buckets);
        if (ended) {
            redis.key(String.class).del(keys.waitlist());
        }
        long cutoffMs = io.flashsale.common.RedisClock.nowMs(redis) - config.reservationGrace().toMillis();
        Map<Long, Stale> stale = new HashMap<>();
        for (int b = 0; b < buckets; b++) {
            var scan = redis.hash(String.class).hscan(keys.bucket(b).reservations(), new ScanArgs().count(500));
            while (true) {
                for (Map.Entry<String, String> entry : scan.next().entrySet()) {
                    ReservationEntry reservation = ReservationEntry.parse(entry.getValue());
                    if (reservation != null && reservation.reservedAtMs() < cutoffMs) {
                        stale.put(Long.parseLong(entry.getKey()), new Stale(reservation.userId(), b));
                    }
                }
                if (!scan.hasNext()) {
                    break;
                }
            }
        }
        if (buckets > 1 && !ended) {
            stock.resyncLevels(keys).await().atMost(redisTimeout);
        }
        if (stale.isEmpty()) {
            return;
        }
        Map<Long, OrderState> statuses = statuses(stale.keySet().stream().toList());
        Instant settledBefore = clock.instant().minus(config.reservationGrace());
        for (Map.Entry<Long, Stale> reservation : stale.entrySet()) {
            long orderId = reservation.getKey();
            String userId = reservation.getValue().userId();
            int bucket = reservation.getValue().bucket();
            OrderState order = statuses.get(orderId);
            if (order == null) {
                settleMissing(saleId, keys, orderId, userId, bucket);
            } else if (order.status() == OrderStatus.PAID) {
                stock.confirm(keys, bucket, orderId).await().atMost(redisTimeout);
            } else if (!order.status().holdsAUnit() && order.changedAt().isBefore(settledBefore)) {
                // EXPIRED or CANCELLED: the freeing step died; VOID: a fenced release died. Only once the
                // change is older than the grace: right after it, its own freeing step is still running
                // (the expiry job releases after its commit), and two releasers would race for the unit
                LOG.warnf("freeing unit of %s order %d in sale %d", order.status(), orderId, saleId);
                unitRelease.release(saleId, orderId, bucket);
            }
        }
    }

    /** A reservation with no order: complete a waitlist promotion, or fence and free the unit. */
    private void settleMissing(long saleId, SaleKeys keys, long orderId, String userId, int bucket)
            throws SQLException {
        var hashes = redis.hash(String.class);
        if (Long.toString(orderId).equals(hashes.hget(keys.promoted(), userId))) {
            LOG.warnf("completing promotion of %s to order %d in sale %d", userId, orderId, saleId);
            String generation = hashes.hget(keys.bucket(bucket).meta(), "gen");
            unitRelease.completePromotion(saleId, userId, orderId, generation == null ? 0 : Long.parseLong(generation),
                    bucket);
            return;
        }
        Set<Long> orders = OrderTombstones.claimAbsent(dataSource,
                List.of(new OrderTombstones.Claim(orderId, saleId, userId)), clock.instant());
        if (orders.contains(orderId)) {
            return; // the write landed after all: the unit is sold, nothing to free
        }
        LOG.warnf("releasing orphaned reservation %d of %s in sale %d (no order; id fenced)", orderId, userId,
                saleId);
        unitRelease.release(saleId, orderId, bucket);
    }


    void stop(@jakarta.enterprise.event.Observes io.quarkus.runtime.ShutdownEvent event) {
        stopping = true;
    }

    private record RecentSale(boolean ended, int buckets) {
    }

    private Map<Long, RecentSale> recentSales() throws SQLException {
        Map<Long, RecentSale> sales = new HashMap<>();
        LocalDateTime now = Jdbc.utc(clock.instant());
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT id, ends_at <= ?, buckets FROM sales WHERE ends_at > ?")) {
            s.setObject(1, now);
            s.setObject(2, now.minus(LOOKBACK));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    sales.put(rs.getLong(1), new RecentSale(rs.getBoolean(2), rs.getInt(3)));
                }
            }
        }
        return sales;
    }

    private int bucketsOf(long saleId) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT buckets FROM sales WHERE id = ?")) {
            s.setLong(1, saleId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 1;
            }
        }
    }

    /** An order's status and when it last changed (updated_at, the writer's clock). */
    private record OrderState(OrderStatus status, Instant changedAt) {
    }

    private Map<Long, OrderState> statuses(List<Long> orderIds) throws SQLException {
        Map<Long, OrderState> statuses = new HashMap<>();
        for (int from = 0; from < orderIds.size(); from += 500) {
            List<Long> chunk = orderIds.subList(from, Math.min(orderIds.size(), from + 500));
            try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                    "SELECT id, status, updated_at FROM orders WHERE id IN (" + Jdbc.placeholders(chunk.size())
                            + ")")) {
                for (int i = 0; i < chunk.size(); i++) {
                    s.setLong(i + 1, chunk.get(i));
                }
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        statuses.put(rs.getLong(1), new OrderState(OrderStatus.valueOf(rs.getString(2)),
                                Jdbc.instant(rs.getObject(3, LocalDateTime.class))));
                    }
                }
            }
        }
        return statuses;
    }
}
