package io.flashsale.order;

import io.flashsale.common.Jdbc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Fences a unit's release against a late write of its order (ARCHITECTURE.md "Releases are
 * fenced"). Before anyone frees a unit whose order is not in the database, it claims the order id
 * by inserting a VOID row under the orders primary key:
 * <ul>
 * <li>if the real order was committed first, the claim finds it: the unit is sold, not freed;</li>
 * <li>if the real insert is still in flight, InnoDB makes the claim wait for it, then decides;</li>
 * <li>if the claim wins, the late insert of the real order fails on the primary key and its
 * buyer is told the truth: no order, the unit is already back.</li>
 * </ul>
 * No clock is involved, so no grace period can be too short to be safe (only too short to be
 * polite to a slow write).
 */
public final class OrderTombstones {

    /** One id to claim, with what a VOID row needs to satisfy the schema. */
    public record Claim(long orderId, long saleId, String userId) {
    }

    private OrderTombstones() {
    }

    /**
     * Claims every id without an order and returns the ids that ARE orders (committed, any
     * status but VOID). One short READ COMMITTED transaction on its own connection.
     */
    public static Set<Long> claimAbsent(DataSource dataSource, List<Claim> claims, Instant now) throws SQLException {
        if (claims.isEmpty()) {
            return Set.of();
        }
        LocalDateTime at = Jdbc.utc(now);
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            try {
                try (PreparedStatement insert = c.prepareStatement("INSERT IGNORE INTO orders"
                        + " (id, sale_id, user_id, status, amount_cents, created_at, pay_by, updated_at)"
                        + " VALUES (?, ?, ?, 'VOID', 0, ?, ?, ?)")) {
                    for (Claim claim : claims) {
                        insert.setLong(1, claim.orderId());
                        insert.setLong(2, claim.saleId());
                        insert.setString(3, claim.userId());
                        insert.setObject(4, at);
                        insert.setObject(5, at);
                        insert.setObject(6, at);
                        insert.addBatch();
                    }
                    insert.executeBatch();
                }
                Set<Long> orders = new HashSet<>();
                try (PreparedStatement select = c.prepareStatement("SELECT id FROM orders WHERE id IN ("
                        + Jdbc.placeholders(claims.size()) + ") AND status <> 'VOID'")) {
                    for (int i = 0; i < claims.size(); i++) {
                        select.setLong(i + 1, claims.get(i).orderId());
                    }
                    try (ResultSet rs = select.executeQuery()) {
                        while (rs.next()) {
                            orders.add(rs.getLong(1));
                        }
                    }
                }
                c.commit();
                return orders;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }
}
