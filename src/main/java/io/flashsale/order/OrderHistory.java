package io.flashsale.order;

import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import io.flashsale.common.Jdbc;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Reads of archived orders ({@code orders_history}, see OrderArchiver): a buyer keeps seeing an
 * order after its sale was archived. Archived orders are final (paid, cancelled or expired), so
 * they are read-only; payment and cancel only ever look at the hot table.
 */
@ApplicationScoped
public class OrderHistory {

    private static final String COLUMNS = "id, sale_id, user_id, status, amount_cents, created_at, pay_by, paid_at,"
            + " payment_id";

    private final DataSource db;

    public OrderHistory(DataSource db) {
        this.db = db;
    }

    public Optional<OrderView> find(long orderId) {
        return archived(orderId).map(OrderView::of);
    }

    /**
     * An archived order as a detached entity (never persisted: archived orders are final), for a
     * payment or cancel that arrives after the archiving: it is answered as for a live order.
     */
    public Optional<OrderEntity> archived(long orderId) {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT " + COLUMNS + " FROM orders_history WHERE id = ?")) {
            s.setLong(1, orderId);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(order(r)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether this payment id paid an archived order other than {@code orderId}. */
    public boolean paymentIdUsed(String paymentId, long orderId) {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT 1 FROM orders_history WHERE payment_id = ? AND id <> ? LIMIT 1")) {
            s.setString(1, paymentId);
            s.setLong(2, orderId);
            try (ResultSet r = s.executeQuery()) {
                return r.next();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The buyer's archived orders (optionally of one sale), newest first. */
    public List<OrderView> ofBuyer(String userId, Long saleId, int limit) {
        String sql = "SELECT " + COLUMNS + " FROM orders_history WHERE user_id = ?"
                + (saleId == null ? "" : " AND sale_id = ?") + " ORDER BY created_at DESC LIMIT ?";
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            int i = 1;
            s.setString(i++, userId);
            if (saleId != null) {
                s.setLong(i++, saleId);
            }
            s.setInt(i, limit);
            List<OrderView> orders = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    orders.add(OrderView.of(order(r)));
                }
            }
            return orders;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One archived row, mapped as the live table's entity (the one row mapper of this class). */
    private static OrderEntity order(ResultSet r) throws SQLException {
        OrderEntity order = new OrderEntity();
        order.id = r.getLong("id");
        order.saleId = r.getLong("sale_id");
        order.userId = r.getString("user_id");
        order.status = OrderStatus.valueOf(r.getString("status"));
        order.amountCents = r.getLong("amount_cents");
        order.createdAt = Jdbc.instant(r.getObject("created_at", LocalDateTime.class));
        order.payBy = Jdbc.instant(r.getObject("pay_by", LocalDateTime.class));
        LocalDateTime paidAt = r.getObject("paid_at", LocalDateTime.class);
        order.paidAt = paidAt == null ? null : Jdbc.instant(paidAt);
        order.paymentId = r.getString("payment_id");
        return order;
    }
}
