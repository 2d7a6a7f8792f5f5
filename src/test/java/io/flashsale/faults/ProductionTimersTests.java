package io.flashsale.faults;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flashsale.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Triggers that must not depend on the test profile's one-second reconciler. */
@QuarkusTest
@TestProfile(ProductionTimers.class)
class ProductionTimersTests {

    @Inject
    Fixtures fixtures;

    @Inject
    io.flashsale.sale.StockReservations reservations;

    /**
     * Item 11: the first purchase that finds a sale's keys missing starts the rebuild at once.
     * Before the fix the event never reached its async observer and buyers got 503 until the
     * reconciler's next round (30 s in production; never on an api-only instance).
     */
    @Test
    void saleWhoseRedisKeysVanishedIsBuyableAgainWithinSecondsNotAtTheNextReconcilerRound() throws Exception {
        int stock = 5;
        long saleId = fixtures.activeSale(stock);
        Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201);
        fixtures.loseRedisKeys(saleId);
        long started = System.nanoTime();
        int status = 0;
        while (status != 201 && System.nanoTime() - started < Duration.ofSeconds(10).toNanos()) {
            status = Fixtures.purchase(saleId, Fixtures.newBuyer()).statusCode();
            if (status != 201) {
                Thread.sleep(100);
            }
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertTrue(status == 201, "no purchase succeeded within 10 s of the loss");
        assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, "rebuilt after " + took);
        fixtures.assertConservation(saleId, stock);
    }

    /**
     * kill -9 between the Lua step and the commit leaves the buyer recorded with an order id that
     * was never written. Before the fix the buyer's retry was told ALREADY_PURCHASED with that
     * phantom id (a 404 when looked up) until the reconciler's round (30 s grace in production).
     */
    @Test
    void buyerWhoseEarlierOrderWasNeverWrittenIsNotToldAPhantomOrder() {
        int stock = 2;
        long saleId = fixtures.activeSale(stock);
        String buyer = Fixtures.newBuyer();
        long orphan = io.flashsale.common.OrderIds.next();
        var reserved = reservations.reserve(saleId, buyer, orphan, false, 10).await().atMost(Duration.ofSeconds(3));
        org.junit.jupiter.api.Assertions.assertEquals(io.flashsale.sale.StockReservations.Outcome.RESERVED,
                reserved.outcome());
        // the process died here; the buyer retries
        var answer = Fixtures.purchase(saleId, buyer).then().extract().response();
        org.junit.jupiter.api.Assertions.assertEquals(201, answer.statusCode(), answer.asString());
        String orderId = answer.jsonPath().getString("orderId");
        org.junit.jupiter.api.Assertions.assertNotEquals(io.flashsale.common.OrderIds.format(orphan), orderId);
        io.restassured.RestAssured.given().get("/api/orders/" + orderId).then().statusCode(200);
        org.junit.jupiter.api.Assertions.assertEquals(1,
                fixtures.count("SELECT COUNT(*) FROM orders WHERE id = ? AND status = 'VOID'", orphan),
                "the orphan's id is fenced");
        fixtures.assertConservation(saleId, stock);
    }
}
