package io.flashsale.order;

import io.flashsale.common.Jdbc;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Keeps the hot {@code orders} table small: orders of sales that ended more than
 * {@code flashsale.order.archive-after} ago move to {@code orders_history} (partitioned by month,
 * V6 migration), a batch per short transaction. Rows are claimed with {@code FOR UPDATE SKIP
 * LOCKED}, copied and deleted in the same transaction, so two workers split the work and a row is
 * never lost or copied twice; VOID tombstones are deleted instead (no late write can arrive a month
 * after the sale). Before moving rows of a month newer than every partition, that month's
 * partition is split off the empty {@code p_future} partition.
 */
@ApplicationScoped
public class OrderArchiver {

    private static final Logger LOG = Logger.getLogger(OrderArchiver.class);
    private static final String COLUMNS = "id, sale_id, user_id, status, amount_cents, created_at, pay_by, paid_at,"
            + " payment_id, reminded_at, remind_at, promoted, updated_at";
    private static final DateTimeFormatter PARTITION = DateTimeFormatter.ofPattern("'p'yyyyMM");
    private static final int SALES_PER_ROUND = 100;
    /** A batch rolled back as a deadlock victim is run again this many times before the round gives up. */
    private static final int DEADLOCK_RETRIES = 5;

    private final DataSource db;
    private final ArchiveConfig config;
    private final Clock clock;

    public OrderArchiver(DataSource db, ArchiveConfig config, Clock clock) {
        this.db = db;
        this.config = config;
        this.clock = clock;
    }

    @Scheduled(every = "${flashsale.order.archive-interval:10M}", delayed = "30s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        try {
            archiveDue();
        } catch (SQLException e) {
            LOG.warnf("archiving old orders failed (next round retries): %s", e.toString());
        }
    }

    /** Moves every order of every sale past the archive age; returns how many orders moved. */
    public long archiveDue() throws SQLException {
        long moved = 0;
        Instant endedBefore = clock.instant().minus(config.archiveAfter());
        for (long saleId : salesToArchive(endedBefore)) {
            moved += archiveSale(saleId);
        }
        return moved;
    }

    private List<Long> salesToArchive(Instant endedBefore) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT s.id FROM sales s WHERE s.ends_at < ?"
                        + " AND EXISTS (SELECT 1 FROM orders o WHERE o.sale_id = s.id) ORDER BY s.ends_at LIMIT ?")) {
            s.setObject(1, Jdbc.utc(endedBefore));
            s.setInt(2, SALES_PER_ROUND);
            List<Long> ids = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    ids.add(r.getLong(1));
                }
            }
            return ids;
        }
    }

    private long archiveSale(long saleId) throws SQLException {
        long moved = 0;
        ensurePartitionsThrough(newestOrderMonth(saleId));
        while (true) {
            int batch = moveBatchRetryingDeadlocks(saleId);
            moved += batch;
            if (batch < config.archiveBatchSize()) {
                break;
            }
        }
        if (moved > 0) {
            LOG.infof("archived %d orders of sale %d to orders_history", moved, saleId);
        }
        return moved;
    }

    /**
     * Two workers moving the same sale can deadlock inside InnoDB (their claims, copies and deletes
     * lock secondary-index entries in different orders). The victim's batch was rolled back whole,
     * so it is simply claimed again; the other worker's batch went through.
     */
    private int moveBatchRetryingDeadlocks(long saleId) throws SQLException {
        for (int attempt = 1;; attempt++) {
            try {
                return moveBatch(saleId);
            } catch (SQLException e) {
                if (!Jdbc.isDeadlock(e) || attempt > DEADLOCK_RETRIES) {
                    throw e;
                }
                LOG.debugf("archive batch of sale %d was a deadlock victim (attempt %d), running it again", saleId,
                        attempt);
                try {
                    Thread.sleep(10L * attempt);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** One transaction: claim a batch of the sale's orders, copy them (not tombstones), delete them. */
    private int moveBatch(long saleId) throws SQLException {
        try (Connection c = Jdbc.claimTransaction(db)) {
            try {
                List<Long> ids = new ArrayList<>();
                try (PreparedStatement s = c.prepareStatement(
                        "SELECT id FROM orders WHERE sale_id = ? ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED")) {
                    s.setLong(1, saleId);
                    s.setInt(2, config.archiveBatchSize());
                    try (ResultSet r = s.executeQuery()) {
                        while (r.next()) {
                            ids.add(r.getLong(1));
                        }
                    }
                }
                if (!ids.isEmpty()) {
                    String in = ids.stream().map(String::valueOf).collect(Collectors.joining(","));
                    try (PreparedStatement copy = c.prepareStatement("INSERT INTO orders_history (" + COLUMNS
                            + ", archived_at) SELECT " + COLUMNS + ", ? FROM orders WHERE id IN (" + in
                            + ") AND status <> '" + OrderStatus.VOID.name() + "'");
                            Statement delete = c.createStatement()) {
                        copy.setObject(1, Jdbc.utc(clock.instant()));
                        copy.executeUpdate();
                        delete.executeUpdate("DELETE FROM orders WHERE id IN (" + in + ")");
                    }
                }
                c.commit();
                return ids.size();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private YearMonth newestOrderMonth(long saleId) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT MAX(created_at) FROM orders WHERE sale_id = ?")) {
            s.setLong(1, saleId);
            try (ResultSet r = s.executeQuery()) {
                LocalDateTime newest = r.next() ? r.getObject(1, LocalDateTime.class) : null;
                return newest == null ? null : YearMonth.from(newest);
            }
        }
    }

    /**
     * Splits monthly partitions off {@code p_future} up to {@code month}, so rows land in their own
     * month's partition. Older months than the newest partition land in the next partition up.
     */
    void ensurePartitionsThrough(YearMonth month) throws SQLException {
        if (month == null) {
            return;
        }
        try (Connection c = db.getConnection()) {
            YearMonth next = firstMonthWithoutPartition(c);
            for (YearMonth m = next; !m.isAfter(month); m = m.plusMonths(1)) {
                try (Statement s = c.createStatement()) {
                    s.execute("ALTER TABLE orders_history REORGANIZE PARTITION p_future INTO (PARTITION "
                            + m.format(PARTITION) + " VALUES LESS THAN ('" + m.plusMonths(1).atDay(1) + " 00:00:00'),"
                            + " PARTITION p_future VALUES LESS THAN (MAXVALUE))");
                } catch (SQLException e) {
                    // another worker added it first
                    if (!String.valueOf(e.getMessage()).toLowerCase().contains("duplicate partition")) {
                        throw e;
                    }
                }
            }
        }
    }

    /** The month right after the highest bounded partition (p_before ends at 2026-01-01). */
    private static YearMonth firstMonthWithoutPartition(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(
                "SELECT PARTITION_DESCRIPTION FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = DATABASE()"
                        + " AND TABLE_NAME = 'orders_history' AND PARTITION_DESCRIPTION <> 'MAXVALUE'")) {
            LocalDateTime highest = null;
            while (r.next()) {
                LocalDateTime bound = LocalDateTime.parse(r.getString(1).replace("'", "").trim().replace(' ', 'T'));
                if (highest == null || bound.isAfter(highest)) {
                    highest = bound;
                }
            }
            if (highest == null) {
                throw new SQLException("orders_history has no bounded partition (V6 migration missing?)");
            }
            return YearMonth.from(highest); // the partition bounded by the 1st of M holds M-1: M is next
        }
    }
}
