package io.flashsale.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flashsale.common.OrderIds;
import io.flashsale.order.NewOrder;
import io.flashsale.order.OrderBatchWriter;
import io.flashsale.order.OrderFenced;
import io.flashsale.order.PaymentConfig;
import io.flashsale.sale.SaleRebuilder;
import io.flashsale.sale.StockReservations;
import io.flashsale.support.Fixtures;
import io.flashsale.support.Waitlists;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * ARCHITECTURE.md "Releases are fenced": whoever gives a unit back while its order's write may
 * still be in flight (reconciler, rebuild, compensation) cannot make that unit sell twice.
 * The faults are real: a table lock held from a connection of the test's own stalls the
 * service's order writes (a DB stall / lock wait), KILL QUERY fails one for good.
 */
@QuarkusTest
class FencingTests {

    @Inject
    Fixtures fixtures;

    @Inject
    StockReservations reservations;

    @Inject
    SaleRebuilder rebuilder;

    @Inject
    OrderBatchWriter writer;

    @Inject
    PaymentConfig timers;

    /**
     * Item 2 of the fault-proofing issue, as reported: grace 2 s, the buyer's write stalled 8 s by
     * a table lock. Before the fence the reconciler freed A's unit, B bought it, and after the
     * unlock both were told 201 (two orders on stock 1).
     */
    @Test
    void reconcilerNeverFreesAUnitWhoseWriteIsStillInFlight() throws Exception {
        long saleId = fixtures.activeSale(1);
        CompletableFuture<Response> a;
        CompletableFuture<Response> b;
        try (Connection lock = Fixtures.directConnection(); Statement s = lock.createStatement()) {
            s.execute("LOCK TABLES orders READ");
            try {
                a = Fixtures.purchaseAsync(saleId, Fixtures.newBuyer());
                Thread.sleep(6_000); // well past grace (2 s) + reconcile interval (1 s)
                b = Fixtures.purchaseAsync(saleId, Fixtures.newBuyer());
                Thread.sleep(2_000);
            } finally {
                s.execute("UNLOCK TABLES");
            }
        }
        List<Response> answers = List.of(a.get(30, TimeUnit.SECONDS), b.get(30, TimeUnit.SECONDS));
        long created = answers.stream().filter(r -> r.statusCode() == 201).count();
        assertTrue(created <= 1, "one unit, told to " + created + " buyers: " + bodies(answers));
        assertTrue(answers.stream().allMatch(r -> List.of(201, 409, 503).contains(r.statusCode())), bodies(answers));
        for (Response r : answers) {
            if (r.statusCode() == 201) {
                assertOrderExists(r.jsonPath().getString("orderId"));
            }
        }
        assertEquals(created, fixtures.activeOrders(saleId), "every 201 and only those hold a unit");
        Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> fixtures.assertConservation(saleId, 1));
    }

    /**
     * Item 3: Redis loses a sale while an order's write is in flight. The rebuild must count that
     * order (it waits for the write's lock on the sale row) instead of selling its unit again.
     */
    @Test
    void rebuildCountsAnOrderWhoseWriteWasInFlight() throws Exception {
        int stock = 5;
        long saleId = fixtures.activeSale(stock);
        CompletableFuture<Response> a;
        try (Connection lock = Fixtures.directConnection(); Statement s = lock.createStatement()) {
            s.execute("LOCK TABLES orders READ");
            try {
                a = Fixtures.purchaseAsync(saleId, Fixtures.newBuyer());
                Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> fixtures.redisReservations(saleId) == 1);
                Thread.sleep(200); // the write is now waiting on the lock
                fixtures.loseRedisKeys(saleId);
                // the next buyer finds the keys missing: 503, and the rebuild starts
                Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(503);
                Thread.sleep(1_500);
            } finally {
                s.execute("UNLOCK TABLES");
            }
        }
        Response answer = a.get(30, TimeUnit.SECONDS);
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> fixtures.redisStock(saleId) >= 0);
        if (answer.statusCode() == 201) {
            assertOrderExists(answer.jsonPath().getString("orderId"));
        }
        assertEquals(answer.statusCode() == 201 ? 1 : 0, fixtures.activeOrders(saleId), answer.asString());
        fixtures.assertConservation(saleId, stock);
    }

    /** Item 3, the other interleaving: the write reaches the database only after the rebuild counted. */
    @Test
    void orderReservedBeforeARebuildIsRefusedAfterIt() throws Exception {
        int stock = 3;
        long saleId = fixtures.activeSale(stock);
        long orderId = OrderIds.next();
        var reservation = reservations.reserve(saleId, "late-" + saleId, orderId, false, 10)
                .await().atMost(Duration.ofSeconds(3));
        assertEquals(StockReservations.Outcome.RESERVED, reservation.outcome());

        fixtures.loseRedisKeys(saleId);
        rebuilder.rebuildIfMissing(saleId);
        assertEquals(stock, fixtures.redisStock(saleId), "the rebuild counted no order");

        // the reservation's write arrives late, under the generation Redis had before the loss
        NewOrder late = NewOrder.of(orderId, saleId, "late-" + saleId, 1999,
                Instant.now().truncatedTo(ChronoUnit.MICROS), Duration.ofMinutes(10), timers, false,
                reservation.generation());
        ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> writer.submit(late).toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertInstanceOf(OrderFenced.class, refused.getCause());
        assertEquals(0, fixtures.count("SELECT COUNT(*) FROM orders WHERE id = ?", orderId));
        fixtures.assertConservation(saleId, stock);
        // and the stock really is all there
        for (int i = 0; i < stock; i++) {
            Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201);
        }
        fixtures.assertConservation(saleId, stock);
    }

    /**
     * Item 8: a unit released because its order's write failed goes to the head of the
     * waitlist, as expiry would send it, never straight back on open sale.
     */
    @Test
    void unitOfAFailedWriteGoesToTheWaitlistHead() throws Exception {
        long saleId = fixtures.activeSale(1);
        CompletableFuture<Response> a;
        String waiter = Fixtures.newBuyer();
        try (Connection lock = Fixtures.directConnection(); Statement s = lock.createStatement();
                Connection killer = Fixtures.directConnection(); Statement k = killer.createStatement()) {
            s.execute("LOCK TABLES orders READ");
            try {
                a = Fixtures.purchaseAsync(saleId, Fixtures.newBuyer()); // takes the last unit
                Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> fixtures.redisStock(saleId) == 0);
                Waitlists.join(saleId, waiter).then().statusCode(202);
                // the stalled write fails for good
                long writerThread = Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> stalledInsert(k),
                        id -> id > 0);
                k.execute("KILL QUERY " + writerThread);
            } finally {
                s.execute("UNLOCK TABLES");
            }
        }
        a.get(30, TimeUnit.SECONDS).then().statusCode(503);
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                Waitlists.status(saleId, waiter).then().statusCode(200)
                        .body("status", org.hamcrest.Matchers.equalTo("PROMOTED")));
        assertEquals(0, fixtures.redisStock(saleId), "the unit did not go back on open sale");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> fixtures.activeOrders(saleId) == 1);
        assertEquals(1, fixtures.count("SELECT COUNT(*) FROM orders WHERE sale_id = ? AND user_id = ?"
                + " AND status = 'PENDING_PAYMENT' AND promoted", saleId, waiter));
        fixtures.assertConservation(saleId, 1);
    }

    private static long stalledInsert(Statement s) throws Exception {
        try (ResultSet rs = s.executeQuery("SELECT ID FROM information_schema.PROCESSLIST"
                + " WHERE INFO LIKE 'INSERT INTO orders%' AND USER = 'flashsale'")) {
            return rs.next() ? rs.getLong(1) : -1;
        }
    }

    private void assertOrderExists(String orderId) {
        long id = OrderIds.parse(orderId).orElseThrow();
        assertEquals(1, fixtures.count("SELECT COUNT(*) FROM orders WHERE id = ? AND status = 'PENDING_PAYMENT'", id),
                "the 201's order " + orderId + " exists");
        assertEquals(1, fixtures.count("SELECT COUNT(*) FROM outbox_events WHERE aggregate_id = ?"
                + " AND event_type = 'flashsale.order.created'", id), "and its created event");
    }

    private static String bodies(List<Response> answers) {
        return answers.stream().map(r -> r.statusCode() + " " + r.asString()).toList().toString();
    }
}
