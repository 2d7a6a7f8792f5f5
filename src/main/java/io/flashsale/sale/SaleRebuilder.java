package io.flashsale.sale;

import io.flashsale.common.Jdbc;
import io.quarkus.redis.datasource.RedisDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Restores a sale's Redis keys from the database when Redis lost them (restart without
 * persistence, flush, failover to an empty replica): available = stock - active orders, the
 * buyers of active orders, the reservations of unpaid ones, and who was promoted from the
 * waitlist. The waitlist itself lives only in Redis and is not restored.
 * <p>
 * The meta hash is written last: until then purchase.lua answers "not primed" and buyers get
 * 503, so no purchase can slip in against half-restored keys.
 * <p>
 * Orders reserved before Redis lost the sale may still be on their way to the database (queued in
 * a writer, a stalled commit). The rebuild fences them instead of waiting for them: in one
 * transaction it bumps the sale's generation (which waits for every order batch of this sale that
 * already holds the sale row's shared lock, so those are counted) and counts the active orders;
 * later batches find a generation newer than the one their orders were reserved under and refuse
 * them (their buyers get 503, truthfully). So every unit is counted exactly once.
 * <p>
 * It runs on the first purchase that finds the keys missing (any role) and in the reconciler's
 * rounds; a short Redis lock keeps several instances from rebuilding the same sale at once (if two
 * did, the later generation wins and orders reserved under the earlier one are refused: safe,
 * only wasteful).
 */
@ApplicationScoped
public class SaleRebuilder {

    private static final Logger LOG = Logger.getLogger(SaleRebuilder.class);
    private static final int CHUNK = 1_000;
    private static final long LOCK_TTL = 30_000;

    private final RedisDataSource redis;
    private final DataSource dataSource;
    private final SaleService sales;
    private final StockReservations stock;
    private final Set<Long> inProgress = ConcurrentHashMap.newKeySet();
    private final java.time.Duration redisTimeout;

    public SaleRebuilder(RedisDataSource redis, DataSource dataSource, SaleService sales, StockReservations stock,
            io.flashsale.common.RedisConfig redisConfig) {
        this.stock = stock;
        this.redisTimeout = redisConfig.timeout();
        this.redis = redis;
        this.dataSource = dataSource;
        this.sales = sales;
    }

    /** Purchases announce missing keys with {@code fireAsync}: the rebuild starts at once, off the event loop. */
    void onMissing(@ObservesAsync SaleKeysMissing event) {
        rebuildIfMissing(event.saleId());
    }

    /** Returns true when this call rebuilt the sale (or some of its stock buckets). */
    public boolean rebuildIfMissing(long saleId) {
        Sale sale = find(saleId);
        return sale != null && rebuildIfMissing(saleId, sale.buckets);
    }

    /**
     * A sale with stock buckets is rebuilt bucket by bucket: only the buckets whose keys are gone
     * (on a cluster, those of the shard that lost its data) are restored from the database, from
     * the orders whose units they gave ({@code orders.stock_bucket}) and the buyers whose home they
     * are; the buckets still alive keep their stock and get the new generation.
     */
    public boolean rebuildIfMissing(long saleId, int buckets) {
        if (!inProgress.add(saleId)) {
            return false;
        }
        try {
            SaleKeys keys = new SaleKeys(saleId, buckets);
            if (missingBuckets(keys).isEmpty()) {
                return false;
            }
            Sale sale = find(saleId);
            if (sale == null) {
                return false;
            }
            if (!lock(keys)) {
                return false; // another instance is rebuilding this sale
            }
            try {
                Set<Integer> missing = missingBuckets(keys);
                if (missing.isEmpty()) {
                    return false; // rebuilt meanwhile
                }
                Restored restored = restoreOrders(keys, saleId, missing);
                for (int b : missing) {
                    long available = Math.max(0, (buckets == 1 ? sale.stock : SaleService.share(sale, b))
                            - restored.active()[b]);
                    if (buckets == 1) {
                        sales.prime(sale, available, false, restored.generation(), restored.paid()[b]);
                    } else {
                        sales.primeRebuilt(sale, b, available, restored.generation(), restored.paid()[b]);
                    }
                    LOG.warnf("rebuilt Redis keys of sale %d bucket %d from the database (generation %d): %d active"
                            + " orders, %d available", saleId, b, restored.generation(), restored.active()[b], available);
                }
                if (buckets > 1) {
                    for (int b = 0; b < buckets; b++) {
                        if (!missing.contains(b)) {
                            // a live bucket's later reservations must be written under the new generation
                            redis.hash(String.class).hset(keys.bucket(b).meta(), "gen",
                                    Long.toString(restored.generation()));
                        }
                        redis.hash(String.class).hdel(keys.levels(), Integer.toString(b));
                    }
                    stock.resyncLevels(keys).await().atMost(redisTimeout);
                }
                return true;
            } finally {
                redis.key(String.class).del(keys.rebuildLock());
            }
        } catch (SQLException | RuntimeException e) {
            LOG.errorf("rebuild of sale %d failed: %s", saleId, e.toString());
            return false;
        } finally {
            inProgress.remove(saleId);
        }
    }

    private Set<Integer> missingBuckets(SaleKeys keys) {
        Set<Integer> missing = new java.util.TreeSet<>();
        for (int b = 0; b < keys.buckets(); b++) {
            if (!redis.key(String.class).exists(keys.bucket(b).meta())) {
                missing.add(b);
            }
        }
        return missing;
    }

    @Transactional
    Sale find(long saleId) {
        return Sale.findById(saleId);
    }

    private boolean lock(SaleKeys keys) {
        // SET NX GET: nil when this call took the lock; the expiry frees it if this process dies
        return redis.value(String.class).setGet(keys.rebuildLock(), "1",
                new io.quarkus.redis.datasource.value.SetArgs().nx().px(LOCK_TTL)) == null;
    }

    /** Per bucket: the active orders whose unit it gave, and the paid ones among them. */
    private record Restored(long generation, long[] active, long[] paid) {
    }

    /** Bumps the generation and restores the active orders in one transaction (see the class comment). */
    private Restored restoreOrders(SaleKeys keys, long saleId, Set<Integer> missing) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            try {
                long generation = bumpGeneration(c, saleId);
                long[][] counts = restoreOrders(c, keys, saleId, missing);
                c.commit();
                return new Restored(generation, counts[0], counts[1]);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static long bumpGeneration(Connection c, long saleId) throws SQLException {
        try (PreparedStatement update = c.prepareStatement("UPDATE sales SET generation = generation + 1 WHERE id = ?")) {
            update.setLong(1, saleId);
            update.executeUpdate();
        }
        try (PreparedStatement read = c.prepareStatement("SELECT generation FROM sales WHERE id = ?")) {
            read.setLong(1, saleId);
            try (ResultSet rs = read.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * Writes the registry, reservations and promotions of the missing buckets; returns per bucket
     * {active orders, paid orders} counted by the bucket their unit came from.
     */
    private long[][] restoreOrders(Connection c, SaleKeys keys, long saleId, Set<Integer> missing) throws SQLException {
        int n = keys.buckets();
        long[] active = new long[n];
        long[] paid = new long[n];
        Restoring restoring = new Restoring(keys);
        try (PreparedStatement s = c.prepareStatement(
                "SELECT id, user_id, status, created_at, promoted, stock_bucket FROM orders"
                        + " WHERE sale_id = ? AND status IN (" + io.flashsale.order.OrderStatus.ACTIVE_SQL + ")")) {
            s.setLong(1, saleId);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    String orderId = Long.toString(rs.getLong(1));
                    String userId = rs.getString(2);
                    int source = Math.floorMod(rs.getInt(6), n);
                    int home = keys.home(userId);
                    active[source]++;
                    if ("PAID".equals(rs.getString(3))) {
                        paid[source]++;
                    }
                    if (missing.contains(home)) {
                        restoring.buyers(home).put(userId, orderId);
                    }
                    if (missing.contains(source) && "PENDING_PAYMENT".equals(rs.getString(3))) {
                        long createdMs = Jdbc.instant(rs.getObject(4, LocalDateTime.class)).toEpochMilli();
                        restoring.reservations(source).put(orderId, new ReservationEntry(userId, createdMs).format());
                    }
                    if (missing.contains(0) && rs.getBoolean(5)) {
                        restoring.promoted.put(userId, orderId);
                    }
                    if (restoring.size() >= CHUNK) {
                        restoring.flush();
                    }
                }
            }
        }
        restoring.flush();
        return new long[][] {active, paid};
    }

    /** The hashes being restored, written in chunks. */
    private final class Restoring {

        private final SaleKeys keys;
        private final Map<Integer, Map<String, String>> buyers = new HashMap<>();
        private final Map<Integer, Map<String, String>> reservations = new HashMap<>();
        private final Map<String, String> promoted = new HashMap<>();
        private int size;

        Restoring(SaleKeys keys) {
            this.keys = keys;
        }

        Map<String, String> buyers(int bucket) {
            size++;
            return buyers.computeIfAbsent(bucket, b -> new HashMap<>());
        }

        Map<String, String> reservations(int bucket) {
            size++;
            return reservations.computeIfAbsent(bucket, b -> new HashMap<>());
        }

        int size() {
            return size;
        }

        void flush() {
            var hashes = redis.hash(String.class);
            buyers.forEach((b, entries) -> {
                if (!entries.isEmpty()) {
                    hashes.hset(keys.bucket(b).buyers(), entries);
                }
            });
            reservations.forEach((b, entries) -> {
                if (!entries.isEmpty()) {
                    hashes.hset(keys.bucket(b).reservations(), entries);
                }
            });
            if (!promoted.isEmpty()) {
                hashes.hset(keys.promoted(), promoted);
            }
            buyers.clear();
            reservations.clear();
            promoted.clear();
            size = 0;
        }
    }
}
