package io.flashsale.order;

import io.flashsale.common.Sql;
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
import java.time.LocalDateTime;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import java.util.HashMap;
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
 * between Lua and commit and the unit is freed;</li>
 * <li>a reservation whose order is EXPIRED or CANCELLED: the freeing step died; it runs again;</li>
 * <li>a reservation whose order is PAID: the confirmation died; it is cleared;</li>
 * <li>an ended sale's waitlist is closed and emptied.</li>
 * </ul>
 * Every step is idempotent, so two workers reconciling at once do no harm.
 */
@ApplicationScoped
public class ReservationReconciler {

    private static final Logger LOG = Logger.getLogger(ReservationReconciler.class);
    /** Sales that ended longer ago than this are left alone (their keys expire on their own). */
    private static final Duration LOOKBACK = Duration.ofDays(2);

    private final RedisDataSource redis;
    private final DataSource dataSource;
    private final SaleRebuilder rebuilder;
    private final FreedUnits freedUnits;
    private final LifecycleConfig config;
    private final Clock clock;
    private final AtomicLong waitlistLength = new AtomicLong();
    private volatile boolean stopping;

    public ReservationReconciler(RedisDataSource redis, DataSource dataSource, SaleRebuilder rebuilder,
            FreedUnits freedUnits, LifecycleConfig config, Clock clock, MeterRegistry meters) {
        Gauge.builder("flashsale.waitlist.length", waitlistLength, AtomicLong::get)
                .description("buyers waiting, over all running sales").register(meters);
        this.redis = redis;
        this.dataSource = dataSource;
        this.rebuilder = rebuilder;
        this.freedUnits = freedUnits;
        this.config = config;
        this.clock = clock;
    }

    @Scheduled(every = "${flashsale.lifecycle.reconcile-interval}", delayed = "2s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = io.flashsale.common.WorkerRole.NotWorker.class)
    void reconcileAll() {
        if (stopping) {
            return;
        }
        try {
            long waiting = 0;
            for (Map.Entry<Long, Boolean> sale : recentSales().entrySet()) {
                if (stopping) {
                    return; // Redis and the pool are closing
                }
                reconcile(sale.getKey(), sale.getValue());
                waiting += redis.sortedSet(String.class).zcard(new SaleKeys(sale.getKey()).waitlist());
            }
            waitlistLength.set(waiting);
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("reconciliation round failed: %s", e.toString());
        }
    }

    /** One sale; {@code ended}: its window is over. */
    public void reconcile(long saleId, boolean ended) throws SQLException {
        SaleKeys keys = new SaleKeys(saleId);
        rebuilder.rebuildIfMissing(saleId);
        if (ended) {
            redis.key(String.class).del(keys.waitlist());
        }
        long cutoffMs = clock.millis() - config.reservationGrace().toMillis();
        Map<Long, String> stale = new HashMap<>();
        redis.hash(String.class).hgetall(keys.reservations()).forEach((orderId, value) -> {
            int bar = value.lastIndexOf('|');
            if (bar > 0 && Long.parseLong(value.substring(bar + 1)) < cutoffMs) {
                stale.put(Long.parseLong(orderId), value.substring(0, bar));
            }
        });
        if (stale.isEmpty()) {
            return;
        }
        Map<Long, String> statuses = statuses(stale.keySet().stream().toList());
        Map<String, String> promoted = redis.hash(String.class).hgetall(keys.promoted());
        for (Map.Entry<Long, String> reservation : stale.entrySet()) {
            long orderId = reservation.getKey();
            String userId = reservation.getValue();
            String status = statuses.get(orderId);
            if (status == null) {
                if (Long.toString(orderId).equals(promoted.get(userId))) {
                    LOG.warnf("completing promotion of %s to order %d in sale %d", userId, orderId, saleId);
                    freedUnits.promote(saleId, userId, orderId);
                } else {
                    LOG.warnf("releasing orphaned reservation %d of %s in sale %d (no order)", orderId, userId, saleId);
                    freedUnits.free(saleId, orderId);
                }
            } else if (status.equals("PAID")) {
                redis.hash(String.class).hdel(keys.reservations(), Long.toString(orderId));
            } else if (!status.equals("PENDING_PAYMENT")) {
                LOG.warnf("freeing unit of %s order %d in sale %d", status, orderId, saleId);
                freedUnits.free(saleId, orderId);
            }
        }
    }

    void stop(@jakarta.enterprise.event.Observes io.quarkus.runtime.ShutdownEvent event) {
        stopping = true;
    }

    private Map<Long, Boolean> recentSales() throws SQLException {
        Map<Long, Boolean> sales = new HashMap<>();
        LocalDateTime now = Sql.utc(clock.instant());
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT id, ends_at <= ? FROM sales WHERE ends_at > ?")) {
            s.setObject(1, now);
            s.setObject(2, now.minus(LOOKBACK));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    sales.put(rs.getLong(1), rs.getBoolean(2));
                }
            }
        }
        return sales;
    }

    private Map<Long, String> statuses(List<Long> orderIds) throws SQLException {
        Map<Long, String> statuses = new HashMap<>();
        for (int from = 0; from < orderIds.size(); from += 500) {
            List<Long> chunk = orderIds.subList(from, Math.min(orderIds.size(), from + 500));
            try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                    "SELECT id, status FROM orders WHERE id IN (" + Sql.placeholders(chunk.size()) + ")")) {
                for (int i = 0; i < chunk.size(); i++) {
                    s.setLong(i + 1, chunk.get(i));
                }
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        statuses.put(rs.getLong(1), rs.getString(2));
                    }
                }
            }
        }
        return statuses;
    }
}
