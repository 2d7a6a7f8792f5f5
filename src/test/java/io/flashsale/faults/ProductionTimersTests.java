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
}
