package io.flashsale;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flashsale.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/**
 * Crash safety of the micro-batcher: when the database refuses the batch, the Redis
 * reservations are released (compensation), buyers get 503, and conservation holds.
 * The failure is real: the orders table is renamed away under the running service.
 */
@QuarkusTest
class OrderBatchFailureTests {

    @Inject
    Fixtures fixtures;

    @Test
    void failedBatchReleasesItsReservations() {
        int stock = 5;
        long saleId = fixtures.activeSale(stock);
        Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201);

        fixtures.execute("RENAME TABLE orders TO orders_offline");
        try {
            for (int i = 0; i < 3; i++) {
                Fixtures.purchase(saleId, Fixtures.newBuyer())
                        .then().statusCode(503)
                        .contentType("application/problem+json")
                        .body("code", equalTo("UNAVAILABLE"));
            }
        } finally {
            fixtures.execute("RENAME TABLE orders_offline TO orders");
        }

        assertEquals(stock - 1, fixtures.redisStock(saleId), "every failed reservation was released");
        assertEquals(1, fixtures.redisReservations(saleId));
        assertEquals(1, fixtures.redisBuyers(saleId));
        fixtures.assertConservation(saleId, stock);

        // the released units are really for sale again
        for (int i = 0; i < stock - 1; i++) {
            Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201);
        }
        Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(409).body("code", equalTo("SOLD_OUT"));
        fixtures.assertConservation(saleId, stock);
    }
}
