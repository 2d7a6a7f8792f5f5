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
 */
@ApplicationScoped
public class SaleRebuilder {

    private static final Logger LOG = Logger.getLogger(SaleRebuilder.class);
    private static final int CHUNK = 1_000;

    private final RedisDataSource redis;
    private final DataSource dataSource;
    private final SaleService sales;
    private final Set<Long> inProgress = ConcurrentHashMap.newKeySet();

    public SaleRebuilder(RedisDataSource redis, DataSource dataSource, SaleService sales) {
        this.redis = redis;
        this.dataSource = dataSource;
        this.sales = sales;
    }

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
            long active = restoreOrders(keys, saleId);
            sales.prime(sale, Math.max(0, sale.stock - active), false);
            LOG.warnf("rebuilt Redis keys of sale %d from the database: %d active orders, %d available", saleId,
                    active, sale.stock - active);
            return true;
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

    private long restoreOrders(SaleKeys keys, long saleId) throws SQLException {
        long active = 0;
        Map<String, String> buyers = new HashMap<>();
        Map<String, String> reservations = new HashMap<>();
        Map<String, String> promoted = new HashMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT id, user_id, status, created_at, promoted FROM orders"
                        + " WHERE sale_id = ? AND status IN ('PENDING_PAYMENT', 'PAID')")) {
            s.setLong(1, saleId);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    active++;
                    String orderId = Long.toString(rs.getLong(1));
                    String userId = rs.getString(2);
                    buyers.put(userId, orderId);
                    if ("PENDING_PAYMENT".equals(rs.getString(3))) {
                        long createdMs = Sql.instant(rs.getObject(4, LocalDateTime.class)).toEpochMilli();
                        reservations.put(orderId, userId + "|" + createdMs);
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
        return active;
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
