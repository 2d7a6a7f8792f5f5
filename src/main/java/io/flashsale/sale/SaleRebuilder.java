package io.flashsale.sale;

import io.flashsale.common.Sql;
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
    private final Set<Long> inProgress = ConcurrentHashMap.newKeySet();

    public SaleRebuilder(RedisDataSource redis, DataSource dataSource, SaleService sales) {
        this.redis = redis;
        this.dataSource = dataSource;
        this.sales = sales;
    }

    /** Purchases announce missing keys with {@code fireAsync}: the rebuild starts at once, off the event loop. */
    void onMissing(@ObservesAsync SaleKeysMissing event) {
        rebuildIfMissing(event.saleId());
    }

    /** Returns true when this call rebuilt the sale. */
    public boolean rebuildIfMissing(long saleId) {
        if (!inProgress.add(saleId)) {
            return false;
        }
        try {
            SaleKeys keys = new SaleKeys(saleId);
            if (redis.key(String.class).exists(keys.meta())) {
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
                if (redis.key(String.class).exists(keys.meta())) {
                    return false; // rebuilt meanwhile
                }
                Restored restored = restoreOrders(keys, saleId);
                sales.prime(sale, Math.max(0, sale.stock - restored.active()), false, restored.generation(),
                        restored.paid());
                LOG.warnf("rebuilt Redis keys of sale %d from the database (generation %d): %d active orders,"
                        + " %d available", saleId, restored.generation(), restored.active(),
                        sale.stock - restored.active());
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

    @Transactional
    Sale find(long saleId) {
        return Sale.findById(saleId);
    }

    private boolean lock(SaleKeys keys) {
        // SET NX GET: nil when this call took the lock; the expiry frees it if this process dies
        return redis.value(String.class).setGet(keys.rebuildLock(), "1",
                new io.quarkus.redis.datasource.value.SetArgs().nx().px(LOCK_TTL)) == null;
    }

    private record Restored(long generation, long active, long paid) {
    }

    /** Bumps the generation and restores the active orders in one transaction (see the class comment). */
    private Restored restoreOrders(SaleKeys keys, long saleId) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            try {
                long generation = bumpGeneration(c, saleId);
                long[] counts = restoreOrders(c, keys, saleId);
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

    /** Returns {active orders, paid orders}. */
    private long[] restoreOrders(Connection c, SaleKeys keys, long saleId) throws SQLException {
        long active = 0;
        long paid = 0;
        Map<String, String> buyers = new HashMap<>();
        Map<String, String> reservations = new HashMap<>();
        Map<String, String> promoted = new HashMap<>();
        try (PreparedStatement s = c.prepareStatement(
                "SELECT id, user_id, status, created_at, promoted FROM orders"
                        + " WHERE sale_id = ? AND status IN (" + io.flashsale.order.OrderStatus.ACTIVE_SQL + ")")) {
            s.setLong(1, saleId);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    active++;
                    String orderId = Long.toString(rs.getLong(1));
                    String userId = rs.getString(2);
                    buyers.put(userId, orderId);
                    if ("PAID".equals(rs.getString(3))) {
                        paid++;
                    }
                    if ("PENDING_PAYMENT".equals(rs.getString(3))) {
                        long createdMs = Sql.instant(rs.getObject(4, LocalDateTime.class)).toEpochMilli();
                        reservations.put(orderId, new ReservationEntry(userId, createdMs).format());
                    }
                    if (rs.getBoolean(5)) {
                        promoted.put(userId, orderId);
                    }
                    if (buyers.size() >= CHUNK || reservations.size() >= CHUNK) {
                        flush(keys, buyers, reservations, promoted);
                    }
                }
            }
        }
        flush(keys, buyers, reservations, promoted);
        return new long[] {active, paid};
    }

    private void flush(SaleKeys keys, Map<String, String> buyers, Map<String, String> reservations,
            Map<String, String> promoted) {
        var hashes = redis.hash(String.class);
        if (!buyers.isEmpty()) {
            hashes.hset(keys.buyers(), buyers);
        }
        if (!reservations.isEmpty()) {
            hashes.hset(keys.reservations(), reservations);
        }
        if (!promoted.isEmpty()) {
            hashes.hset(keys.promoted(), promoted);
        }
        buyers.clear();
        reservations.clear();
        promoted.clear();
    }
}
