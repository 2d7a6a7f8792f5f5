package io.flashsale.purchase;

import io.flashsale.order.UnitRelease;
import io.flashsale.order.OrderTombstones;
import io.flashsale.sale.ReservationEntry;
import io.flashsale.sale.SaleKeys;
import io.flashsale.sale.StockReservations;
import io.quarkus.redis.datasource.RedisDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Before a buyer is told ALREADY_PURCHASED with an order id, that order must exist: Redis records
 * the buyer before the order is written, so a process that died in between leaves a buyer entry
 * pointing at nothing until the reconciler's next round. This check looks the order up by primary
 * key (only buyers who hold a unit ever get here, so at most one lookup per unit):
 * <ul>
 * <li>in the database: the answer is true;</li>
 * <li>not there, reserved only moments ago: its write may be in flight, the buyer is asked to
 * retry (a 503 that holds: the earlier attempt either becomes their order or is fenced);</li>
 * <li>not there and no longer reserved: released meanwhile, the purchase is tried afresh;</li>
 * <li>not there and older than {@code orphan-after}: the id is fenced with a VOID tombstone (as the
 * reconciler would) and its unit freed, so the buyer's purchase can be tried afresh.</li>
 * </ul>
 * Blocking (JDBC): callers run it on a worker thread.
 */
@ApplicationScoped
public class HeldOrderCheck {

    private static final Logger LOG = Logger.getLogger(HeldOrderCheck.class);

    /** What the buyer's existing order id turned out to be. */
    public enum Verdict {
        EXISTS, BEING_CONFIRMED, FREED
    }

    private final DataSource dataSource;
    private final RedisDataSource redis;
    private final UnitRelease unitRelease;
    private final PurchaseConfig config;
    private final StockReservations stock;
    private final java.time.Duration redisTimeout;

    public HeldOrderCheck(DataSource dataSource, RedisDataSource redis, UnitRelease unitRelease, PurchaseConfig config,
            StockReservations stock, io.flashsale.common.RedisConfig redisConfig) {
        this.stock = stock;
        this.redisTimeout = redisConfig.timeout();
        this.dataSource = dataSource;
        this.redis = redis;
        this.unitRelease = unitRelease;
        this.config = config;
    }

    public Verdict check(long saleId, String userId, long orderId) throws SQLException {
        if (exists(orderId)) {
            return Verdict.EXISTS;
        }
        SaleKeys keys = stock.keysOf(saleId).await().atMost(redisTimeout);
        ReservationEntry reservation = null;
        for (int b = 0; b < keys.buckets() && reservation == null; b++) {
            reservation = ReservationEntry.parse(
                    redis.hash(String.class).hget(keys.bucket(b).reservations(), Long.toString(orderId)));
        }
        if (reservation == null) {
            // no order and no reservation: the unit was released meanwhile (or the order was paid
            // this instant, which a new attempt then reports as ALREADY_PURCHASED with the order).
            // With buckets the registry (home bucket) and the reservation (source bucket) are two
            // steps: a registry entry left pointing at this dead order is dropped, so the retry can buy.
            stock.unregister(keys, userId, orderId).await().atMost(redisTimeout);
            return Verdict.FREED;
        }
        if (io.flashsale.common.RedisClock.nowMs(redis) - reservation.reservedAtMs() < config.orphanAfter().toMillis()) {
            return Verdict.BEING_CONFIRMED;
        }
        var committed = OrderTombstones.claimAbsent(dataSource,
                List.of(new OrderTombstones.Claim(orderId, saleId, userId)), Instant.now());
        if (committed.contains(orderId)) {
            return Verdict.EXISTS; // the write landed after all
        }
        LOG.warnf("buyer %s pointed at order %d of sale %d, which was never written; id fenced, unit freed",
                userId, orderId, saleId);
        unitRelease.release(saleId, orderId, -1); // no order row tells the bucket: every bucket is asked
        return Verdict.FREED;
    }

    private boolean exists(long orderId) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT 1 FROM orders WHERE id = ? AND status <> 'VOID'")) {
            s.setLong(1, orderId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

}
