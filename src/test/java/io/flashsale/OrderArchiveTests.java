package io.flashsale;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flashsale.common.OrderIds;
import io.flashsale.common.Jdbc;
import io.flashsale.order.OrderArchiver;
import io.flashsale.support.Fixtures;
import io.flashsale.support.Orders;
import io.flashsale.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Growth over time: orders of sales that ended more than {@code flashsale.order.archive-after}
 * (30 days) ago leave the hot {@code orders} table for the month-partitioned {@code orders_history},
 * every row exactly once, and their buyers still find them.
 */
@QuarkusTest
class OrderArchiveTests {

    @Inject
    DataSource db;

    @Inject
    Fixtures fixtures;

    @Inject
    OrderArchiver archiver;

    private static final DateTimeFormatter PARTITION = DateTimeFormatter.ofPattern("'p'yyyyMM");

    /** A sale that ran around {@code at} (ended an hour later) with orders of the given statuses, by SQL. */
    private long oldSale(Instant at, List<String> statuses, String buyerPrefix) throws SQLException {
        try (Connection c = db.getConnection()) {
            long saleId;
            try (PreparedStatement s = c.prepareStatement("INSERT INTO sales (sku, title, price_cents, stock, starts_at,"
                    + " ends_at, created_at) VALUES ('OLD', 'old sale', 700, ?, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
                s.setInt(1, statuses.size());
                s.setObject(2, Jdbc.utc(at.minusSeconds(60)));
                s.setObject(3, Jdbc.utc(at.plusSeconds(3600)));
                s.setObject(4, Jdbc.utc(at.minusSeconds(3600)));
                s.executeUpdate();
                try (ResultSet keys = s.getGeneratedKeys()) {
                    keys.next();
                    saleId = keys.getLong(1);
                }
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO orders (id, sale_id, user_id, status, amount_cents,"
                    + " created_at, pay_by, paid_at, updated_at) VALUES (?, ?, ?, ?, 700, ?, ?, ?, ?)")) {
                for (int i = 0; i < statuses.size(); i++) {
                    s.setLong(1, OrderIds.next());
                    s.setLong(2, saleId);
                    s.setString(3, buyerPrefix + i);
                    s.setString(4, statuses.get(i));
                    s.setObject(5, Jdbc.utc(at.plusMillis(i)));
                    s.setObject(6, Jdbc.utc(at.plusSeconds(3600)));
                    s.setObject(7, "PAID".equals(statuses.get(i)) ? Jdbc.utc(at.plusSeconds(60)) : null);
                    s.setObject(8, Jdbc.utc(at.plusSeconds(60)));
                    s.addBatch();
                }
                s.executeBatch();
            }
            return saleId;
        }
    }

    private long count(String sql, Object... args) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setObject(i + 1, args[i]);
            }
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    private String orderOf(long saleId, String userId) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT id FROM orders WHERE sale_id = ? AND user_id = ?")) {
            s.setLong(1, saleId);
            s.setString(2, userId);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return OrderIds.format(r.getLong(1));
            }
        }
    }

    @Test
    void ordersOfLongEndedSalesMoveToTheirMonthsPartitionAndStayVisible() throws Exception {
        Instant now = Instant.now();
        Instant fortyDaysAgo = now.minus(Duration.ofDays(40));
        Instant ninetyDaysAgo = now.minus(Duration.ofDays(90));
        String prefix = "arch-" + System.nanoTime() + "-";
        long oldSale = oldSale(fortyDaysAgo, List.of("PAID", "EXPIRED", "CANCELLED", "VOID"), prefix + "a");
        long olderSale = oldSale(ninetyDaysAgo, List.of("PAID", "PAID"), prefix + "b");
        // a sale that ended 20 days ago stays (younger than archive-after), as does a live one
        long recentlyEnded = oldSale(now.minus(Duration.ofDays(20)), List.of("PAID"), prefix + "c");
        long live = fixtures.activeSale(5);
        String liveOrder = Fixtures.purchase(live, prefix + "live").then().statusCode(201).extract().path("orderId");
        String paidOrder = orderOf(oldSale, prefix + "a0");

        archiver.archiveDue();

        assertEquals(0, count("SELECT COUNT(*) FROM orders WHERE sale_id IN (?, ?)", oldSale, olderSale));
        assertEquals(3, count("SELECT COUNT(*) FROM orders_history WHERE sale_id = ?", oldSale), "VOID is not archived");
        assertEquals(2, count("SELECT COUNT(*) FROM orders_history WHERE sale_id = ?", olderSale));
        assertEquals(1, count("SELECT COUNT(*) FROM orders WHERE sale_id = ?", recentlyEnded));
        assertEquals(1, count("SELECT COUNT(*) FROM orders WHERE sale_id = ?", live));
        // each month in its own partition
        for (var sale : List.of(new long[] { oldSale, 3 }, new long[] { olderSale, 2 })) {
            Instant at = sale[0] == oldSale ? fortyDaysAgo : ninetyDaysAgo;
            String partition = YearMonth.from(at.atOffset(ZoneOffset.UTC)).format(PARTITION);
            assertEquals(sale[1], count("SELECT COUNT(*) FROM orders_history PARTITION (" + partition
                    + ") WHERE sale_id = ?", sale[0]), "rows of sale " + sale[0] + " in " + partition);
        }

        // the buyer still sees the archived order, another buyer still may not
        given().header("Authorization", Tokens.bearer(Tokens.buyer(prefix + "a0"))).get("/api/orders/" + paidOrder)
                .then().statusCode(200).body("status", equalTo("PAID")).body("saleId", equalTo((int) oldSale));
        given().header("Authorization", Tokens.bearer(Tokens.buyer(prefix + "a1"))).get("/api/orders/" + paidOrder)
                .then().statusCode(403).body("code", equalTo("FORBIDDEN"));
        given().header("Authorization", Tokens.bearer(Tokens.buyer(prefix + "a0"))).get("/api/me/orders")
                .then().statusCode(200).body("orderId", hasItem(paidOrder));
        given().header("Authorization", Tokens.bearer(Tokens.buyer(prefix + "live"))).get("/api/me/orders")
                .then().statusCode(200).body("orderId", hasItem(liveOrder));

        assertEquals(0, archiver.archiveDue(), "a second round finds nothing more to move");
    }

    @Test
    void paymentsAndCancelsOfArchivedOrdersAreAnsweredAsForLiveOrders() throws Exception {
        String prefix = "arch3-" + System.nanoTime() + "-";
        long saleId = oldSale(Instant.now().minus(Duration.ofDays(40)), List.of("PAID", "EXPIRED", "CANCELLED"), prefix);
        String paid = orderOf(saleId, prefix + "0");
        String expired = orderOf(saleId, prefix + "1");
        String cancelled = orderOf(saleId, prefix + "2");
        String spent = "pay-arch-" + System.nanoTime();
        fixtures.execute("UPDATE orders SET payment_id = '" + spent + "' WHERE id = " + OrderIds.parse(paid).orElseThrow());
        archiver.archiveDue();
        assertEquals(3, count("SELECT COUNT(*) FROM orders_history WHERE sale_id = ?", saleId));

        // the provider retries a payment it made a month ago: the same answer as then
        Orders.pay(paid, spent, 700).then().statusCode(200).body("status", equalTo("PAID"))
                .body("orderId", equalTo(paid));
        Orders.pay(paid, "pay-other-" + System.nanoTime(), 700).then().statusCode(409)
                .body("code", equalTo("ALREADY_PAID"));
        // a payment id spent on an archived order cannot pay another order, archived or live
        Orders.pay(expired, spent, 700).then().statusCode(409).body("code", equalTo("PAYMENT_ID_IN_USE"));
        long liveSale = fixtures.activeSale(1);
        String live = Fixtures.purchase(liveSale, Fixtures.newBuyer()).then().statusCode(201).extract().path("orderId");
        Orders.pay(live, spent, 1999).then().statusCode(409).body("code", equalTo("PAYMENT_ID_IN_USE"));
        Orders.get(live).then().statusCode(200).body("status", equalTo("PENDING_PAYMENT"));
        // a late payment of an archived expired order is refused and refunded, once however often it comes
        Orders.pay(expired, "pay-late", 699).then().statusCode(400).body("code", equalTo("AMOUNT_MISMATCH"));
        String late = "pay-late-" + System.nanoTime();
        for (int i = 0; i < 2; i++) {
            Orders.pay(expired, late, 700).then().statusCode(409).body("code", equalTo("ORDER_NOT_PAYABLE"))
                    .body("orderStatus", equalTo("EXPIRED"));
        }
        assertEquals(1, count("SELECT COUNT(*) FROM outbox_events WHERE aggregate_id = ? AND event_type = ?",
                OrderIds.parse(expired).orElseThrow(), "flashsale.payment.refund-required"));
        assertEquals(1, count("SELECT COUNT(*) FROM refund_requests WHERE payment_id = ?", late));
        assertEquals(0, count("SELECT COUNT(*) FROM refund_requests WHERE payment_id = ?", spent),
                "a payment id in use is never refunded");
        Orders.cancel(cancelled).then().statusCode(409).body("code", equalTo("ORDER_NOT_CANCELLABLE"));
        Orders.cancel(paid).then().statusCode(409).body("code", equalTo("ORDER_NOT_CANCELLABLE"));
        // nothing moved back: archived orders stay archived and unchanged
        assertEquals(0, count("SELECT COUNT(*) FROM orders WHERE sale_id = ?", saleId));
        assertEquals(1, count("SELECT COUNT(*) FROM orders_history WHERE sale_id = ? AND status = 'EXPIRED'", saleId));
        Orders.pay(OrderIds.format(OrderIds.next()), late, 700).then().statusCode(404)
                .body("code", equalTo("ORDER_NOT_FOUND"));
    }

    @Test
    void twoWorkersArchivingAtOnceMoveEveryOrderExactlyOnce() throws Exception {
        List<String> statuses = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            statuses.add(i % 2 == 0 ? "PAID" : "EXPIRED");
        }
        long saleId = oldSale(Instant.now().minus(Duration.ofDays(45)), statuses, "arch2-" + System.nanoTime() + "-");
        ExecutorService workers = Executors.newFixedThreadPool(2);
        try {
            List<Future<Long>> rounds = List.of(workers.submit(archiver::archiveDue), workers.submit(archiver::archiveDue));
            long moved = 0;
            for (Future<Long> round : rounds) {
                moved += round.get();
            }
            assertEquals(2500, moved, "each order moved by exactly one of the two");
        } finally {
            workers.shutdown();
        }
        assertEquals(0, count("SELECT COUNT(*) FROM orders WHERE sale_id = ?", saleId));
        assertEquals(2500, count("SELECT COUNT(*) FROM orders_history WHERE sale_id = ?", saleId));
        assertEquals(2500, count("SELECT COUNT(DISTINCT id) FROM orders_history WHERE sale_id = ?", saleId));
    }
}
