package io.flashsale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flashsale.common.OrderIds;
import io.flashsale.support.Fixtures;
import io.flashsale.support.Orders;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** Invariant 5 and conservation when payment and cancel race on the same orders. */
@QuarkusTest
class PayCancelRaceTests {

    @Inject
    Fixtures fixtures;

    @Test
    void payAndCancelRacingOnFiftyOrdersNeverBothWin() throws Exception {
        int stock = 60;
        long saleId = fixtures.activeSale(stock);
        List<String> orders = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            orders.add(Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201)
                    .extract().path("orderId"));
        }
        ExecutorService pool = Executors.newFixedThreadPool(32);
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<int[]>> races = new ArrayList<>();
        for (String orderId : orders) {
            CompletableFuture<Integer> pay = CompletableFuture.supplyAsync(() -> {
                await(start);
                return Orders.pay(orderId, "pay-" + UUID.randomUUID(), 1999).statusCode();
            }, pool);
            CompletableFuture<Integer> cancel = CompletableFuture.supplyAsync(() -> {
                await(start);
                return Orders.cancel(orderId).statusCode();
            }, pool);
            races.add(pay.thenCombine(cancel, (p, c) -> new int[] {p, c}));
        }
        start.countDown();
        int paid = 0;
        for (int i = 0; i < orders.size(); i++) {
            int[] outcome = races.get(i).get();
            String orderId = orders.get(i);
            String status = Orders.get(orderId).then().statusCode(200).extract().path("status");
            long id = OrderIds.parse(orderId).orElseThrow();
            long paidEvents = fixtures.count("SELECT COUNT(*) FROM outbox_events WHERE aggregate_id = ?"
                    + " AND event_type = 'flashsale.order.paid'", id);
            long cancelledEvents = fixtures.count("SELECT COUNT(*) FROM outbox_events WHERE aggregate_id = ?"
                    + " AND event_type = 'flashsale.order.cancelled'", id);
            if (status.equals("PAID")) {
                paid++;
                assertEquals(200, outcome[0]);
                assertEquals(409, outcome[1], "cancel lost the race and says so");
                assertEquals(1, paidEvents);
                assertEquals(0, cancelledEvents);
            } else {
                assertEquals("CANCELLED", status);
                assertEquals(200, outcome[1]);
                assertEquals(409, outcome[0], "payment lost the race and says so");
                assertEquals(0, paidEvents);
                assertEquals(1, cancelledEvents);
            }
        }
        pool.shutdown();
        assertTrue(paid >= 0 && paid <= 50);
        assertEquals(paid, fixtures.activeOrders(saleId));
        assertEquals(stock - paid, fixtures.redisStock(saleId), "every cancelled unit is back, no paid unit is");
        fixtures.assertConservation(saleId, stock);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
