package io.flashsale;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flashsale.common.OrderIds;
import io.flashsale.order.PaymentDeadlines;
import io.flashsale.sale.StockReservations;
import io.flashsale.support.Fixtures;
import io.flashsale.support.Orders;
import io.flashsale.support.TestRedis;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Nothing is lost when a process dies halfway or Redis forgets; jobs are safe on several workers. */
@QuarkusTest
class ReconciliationTests {

    @Inject
    Fixtures fixtures;

    @Inject
    StockReservations reservations;

    @Inject
    TestRedis redis;

    @Inject
    PaymentDeadlines timers;

    @Inject
    io.flashsale.order.ReservationReconciler reconciler;

    /**
     * An order expired but its unit was never freed (the worker died between the commit and the
     * Redis step): the reconciler frees it, but only once the change is older than the grace, so
     * it never races the expiry job's own freeing step right after the commit (it did: both freed
     * the unit at once and handed waiters their units in the wrong id order).
     */
    @Test
    void expiredOrderWhoseFreeingStepDiedIsFreedAfterTheGraceNotBefore() throws Exception {
        long saleId = fixtures.activeSale(2);
        String orderId = Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201).extract().path("orderId");
        long id = OrderIds.parse(orderId).orElseThrow();
        Thread.sleep(2_200); // the reservation is older than the 2 s grace
        fixtures.execute("UPDATE orders SET status = 'EXPIRED', updated_at = '"
                + io.flashsale.common.Jdbc.utc(Instant.now()) + "' WHERE id = " + id);

        reconciler.reconcile(saleId, false);
        assertEquals(1, fixtures.redisReservations(saleId), "just expired: its own freeing step may still run");
        assertEquals(1, fixtures.redisStock(saleId));

        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            reconciler.reconcile(saleId, false);
            assertEquals(0, fixtures.redisReservations(saleId), "the freeing step died: the reconciler frees it");
        });
        assertEquals(2, fixtures.redisStock(saleId));
        fixtures.assertConservation(saleId, 2);
    }

    @Test
    void reservationWhoseOrderNeverCommittedIsReleased() {
        int stock = 3;
        long saleId = fixtures.activeSale(stock);
        Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201);
        // the process "dies" between the Lua step and the commit: only the reservation exists
        var reservation = reservations.reserve(saleId, "died-" + saleId, OrderIds.next(), false, 10)
                .await().atMost(Duration.ofSeconds(3));
        assertEquals(StockReservations.Outcome.RESERVED, reservation.outcome());
        assertEquals(1, fixtures.redisStock(saleId));

        // after the grace period the reconciler gives the unit back
        Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            assertEquals(2, fixtures.redisStock(saleId));
            assertEquals(1, fixtures.redisReservations(saleId));
        });
        fixtures.assertConservation(saleId, stock);
        Fixtures.purchase(saleId, "died-" + saleId).then().statusCode(201); // the buyer may buy again
    }

    @Test
    void flushedRedisIsRebuiltFromTheDatabaseAndNothingIsSoldTwice() {
        int stock = 10;
        long saleId = fixtures.activeSale(stock);
        List<String> holders = new ArrayList<>();
        List<String> orders = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String buyer = Fixtures.newBuyer();
            holders.add(buyer);
            orders.add(Fixtures.purchase(saleId, buyer).then().statusCode(201).extract().path("orderId"));
        }
        Orders.pay(orders.get(0), "pay-" + orders.get(0), 1999).then().statusCode(200);
        Orders.cancel(orders.get(1)).then().statusCode(200); // 3 active orders remain

        redis.flush(); // FLUSHDB, or FLUSHALL on every master of the cluster

        // buyers get 503 (nothing reserved) until the rebuild restored exactly stock - active = 7
        Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertEquals(7, fixtures.redisStock(saleId)));
        fixtures.assertConservation(saleId, stock);
        // holders of active orders are known again; the cancelled buyer is not a holder
        Fixtures.purchase(saleId, holders.get(0)).then().statusCode(409).body("code", equalTo("ALREADY_PURCHASED"));
        Fixtures.purchase(saleId, holders.get(2)).then().statusCode(409).body("code", equalTo("ALREADY_PURCHASED"));
        // exactly the remaining 7 units can still be sold, not one more
        int sold = 0;
        for (int i = 0; i < 12; i++) {
            int status = Fixtures.purchase(saleId, Fixtures.newBuyer()).statusCode();
            if (status == 201) {
                sold++;
            } else {
                assertEquals(409, status);
            }
        }
        assertEquals(7, sold);
        assertEquals(stock, fixtures.activeOrders(saleId));
        fixtures.assertConservation(saleId, stock);
    }

    @Test
    void jobsOnSeveralWorkersAtOnceRemindAndExpireEachOrderOnce() throws Exception {
        long saleId = fixtures.createSale(Fixtures.saleJson(40, Instant.now().minusSeconds(1),
                Instant.now().plusSeconds(3600)).replace("}", ",\"paymentTimeoutSeconds\":2}"));
        List<Long> orderIds = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            orderIds.add(OrderIds.parse(Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201)
                    .extract().<String>path("orderId")).orElseThrow());
        }
        Thread.sleep(2_200); // every order is due for both reminder and expiry
        // four extra "workers" race with the scheduled job on the same rows
        ExecutorService workers = Executors.newFixedThreadPool(4);
        List<Future<Integer>> rounds = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            rounds.add(workers.submit((Callable<Integer>) () -> {
                int claimed = 0;
                for (int r = 0; r < 5; r++) {
                    claimed += timers.remindDue();
                    claimed += timers.expireDue();
                }
                return claimed;
            }));
        }
        for (Future<Integer> round : rounds) {
            round.get();
        }
        workers.shutdown();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                fixtures.count("SELECT COUNT(*) FROM orders WHERE sale_id = ? AND status = 'EXPIRED'", saleId) == 30);
        for (long orderId : orderIds) {
            assertEquals(1, fixtures.count("SELECT COUNT(*) FROM outbox_events WHERE aggregate_id = ?"
                    + " AND event_type = 'flashsale.order.payment-reminder'", orderId), "one reminder for " + orderId);
            assertEquals(1, fixtures.count("SELECT COUNT(*) FROM outbox_events WHERE aggregate_id = ?"
                    + " AND event_type = 'flashsale.order.expired'", orderId), "one expiry for " + orderId);
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertEquals(40, fixtures.redisStock(saleId)));
        fixtures.assertConservation(saleId, 40);
    }
}
