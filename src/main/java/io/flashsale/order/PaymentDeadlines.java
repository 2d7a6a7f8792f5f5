package io.flashsale.order;

import io.flashsale.common.Jdbc;
import io.flashsale.outbox.EventType;
import io.flashsale.outbox.OutboxEvent;
import io.flashsale.outbox.OutboxStore;
import io.flashsale.outbox.OutboxRelay;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * The payment deadlines of unpaid orders (worker role): the reminder at {@code remind_at}, the
 * expiry at {@code pay_by}. Each round claims due PENDING_PAYMENT orders with
 * {@code FOR UPDATE SKIP LOCKED} in a bounded batch, so any number of workers can run it at once
 * and no order is reminded or expired twice; the update is still conditional on the status, so
 * a payment that committed first wins. Expired orders' units are freed after the commit
 * (waitlist head first, else open sale).
 */
@ApplicationScoped
public class PaymentDeadlines {

    private static final Logger LOG = Logger.getLogger(PaymentDeadlines.class);
    private static final String CLAIM_REMINDERS = "SELECT id, sale_id, user_id, pay_by, stock_bucket FROM orders"
            + " WHERE status = 'PENDING_PAYMENT' AND reminded_at IS NULL AND remind_at <= ?"
            + " ORDER BY remind_at LIMIT ? FOR UPDATE SKIP LOCKED";
    private static final String CLAIM_EXPIRED = "SELECT id, sale_id, user_id, pay_by, stock_bucket FROM orders"
            + " WHERE status = 'PENDING_PAYMENT' AND pay_by <= ?"
            + " ORDER BY pay_by LIMIT ? FOR UPDATE SKIP LOCKED";

    private record DueOrder(long id, long saleId, String userId, Instant payBy, int stockBucket) {
    }

    private final DataSource dataSource;
    private final OutboxRelay relay;
    private final UnitRelease unitRelease;
    private final LifecycleConfig config;
    private final Clock clock;

    public PaymentDeadlines(DataSource dataSource, OutboxRelay relay, UnitRelease unitRelease, LifecycleConfig config,
            Clock clock) {
        this.dataSource = dataSource;
        this.relay = relay;
        this.unitRelease = unitRelease;
        this.config = config;
        this.clock = clock;
    }

    @Scheduled(every = "${flashsale.lifecycle.poll-interval}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void remindAndExpireDue() {
        try {
            while (remindDue() == config.batchSize()) {
                // a full batch: more may be due
            }
            while (expireDue() == config.batchSize()) {
                // a full batch: more may be due
            }
        } catch (SQLException e) {
            LOG.warnf("payment deadlines round failed: %s", e.toString());
        }
    }

    /** One round of reminders; returns how many orders it claimed. */
    public int remindDue() throws SQLException {
        Instant now = now();
        List<DueOrder> due = new ArrayList<>();
        try (Connection c = Jdbc.claimTransaction(dataSource)) {
            try {
                due = claim(c, CLAIM_REMINDERS, now);
                List<OutboxEvent> events = new ArrayList<>(due.size());
                try (PreparedStatement mark = c.prepareStatement("UPDATE orders SET reminded_at = ?"
                        + " WHERE id = ? AND status = 'PENDING_PAYMENT' AND reminded_at IS NULL")) {
                    for (DueOrder order : due) {
                        mark.setObject(1, Jdbc.utc(now));
                        mark.setLong(2, order.id());
                        if (mark.executeUpdate() == 1) {
                            events.add(OutboxEvent.of(EventType.ORDER_PAYMENT_REMINDER, order.id(), order.saleId(),
                                    order.userId(), now, Map.of("payBy", order.payBy())));
                        }
                    }
                }
                OutboxStore.insert(c, events);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        if (!due.isEmpty()) {
            relay.wake();
        }
        return due.size();
    }

    /** One round of expiries; returns how many orders it claimed. */
    public int expireDue() throws SQLException {
        Instant now = now();
        List<DueOrder> expired = new ArrayList<>();
        int claimed;
        try (Connection c = Jdbc.claimTransaction(dataSource)) {
            try {
                List<DueOrder> due = claim(c, CLAIM_EXPIRED, now);
                claimed = due.size();
                List<OutboxEvent> events = new ArrayList<>(due.size());
                try (PreparedStatement expire = c.prepareStatement("UPDATE orders SET status = 'EXPIRED',"
                        + " updated_at = ? WHERE id = ? AND status = 'PENDING_PAYMENT'")) {
                    for (DueOrder order : due) {
                        expire.setObject(1, Jdbc.utc(now));
                        expire.setLong(2, order.id());
                        if (expire.executeUpdate() == 1) {
                            expired.add(order);
                            events.add(OutboxEvent.of(EventType.ORDER_EXPIRED, order.id(), order.saleId(),
                                    order.userId(), now, Map.of("status", OrderStatus.EXPIRED.name(),
                                            "payBy", order.payBy())));
                        }
                    }
                }
                OutboxStore.insert(c, events);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        if (!expired.isEmpty()) {
            relay.wake();
        }
        // After the commit: if this process dies here, the reconciler frees the units.
        for (DueOrder order : expired) {
            unitRelease.release(order.saleId(), order.id(), order.stockBucket());
        }
        return claimed;
    }

    private List<DueOrder> claim(Connection c, String sql, Instant now) throws SQLException {
        List<DueOrder> due = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setObject(1, Jdbc.utc(now));
            s.setInt(2, config.batchSize());
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    due.add(new DueOrder(rs.getLong(1), rs.getLong(2), rs.getString(3),
                            Jdbc.instant(rs.getObject(4, LocalDateTime.class)), rs.getInt(5)));
                }
            }
        }
        return due;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

}
