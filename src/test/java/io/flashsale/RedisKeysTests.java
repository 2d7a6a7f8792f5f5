package io.flashsale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flashsale.common.OrderIds;
import io.flashsale.sale.SaleKeys;
import io.flashsale.sale.StockReservations;
import io.flashsale.support.Fixtures;
import io.flashsale.support.Orders;
import io.flashsale.support.Waitlists;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The Redis side of a sale: ids never reused, and nothing kept after the sale. */
@QuarkusTest
class RedisKeysTests {

    @Inject
    Fixtures fixtures;

    @Inject
    StockReservations reservations;

    @Inject
    RedisDataSource redis;

    /** Two processes minting the same TSID must not overwrite each other's reservation. */
    @Test
    void anOrderIdThatAlreadyHoldsAReservationIsRefused() {
        long saleId = fixtures.activeSale(5);
        long orderId = OrderIds.next();
        var first = reservations.reserve(saleId, "first-" + saleId, orderId, false, 10).await().atMost(Duration.ofSeconds(3));
        var clash = reservations.reserve(saleId, "second-" + saleId, orderId, false, 10).await().atMost(Duration.ofSeconds(3));
        assertEquals(StockReservations.Outcome.RESERVED, first.outcome());
        assertEquals(StockReservations.Outcome.ORDER_ID_TAKEN, clash.outcome());
        assertEquals(4, fixtures.redisStock(saleId), "the clash took no unit");
        assertTrue(redis.hash(String.class).hget(new SaleKeys(saleId).reservations(), Long.toString(orderId))
                .startsWith("first-"), "the first reservation is intact");
    }

    /** An id voided by a lookup after a lost reply can never reserve afterwards. */
    @Test
    void aVoidedOrderIdCanNeverReserve() {
        long saleId = fixtures.activeSale(5);
        long orderId = OrderIds.next();
        var resolution = reservations.resolve(saleId, orderId).await().atMost(Duration.ofSeconds(3));
        assertTrue(!resolution.reserved());
        var late = reservations.reserve(saleId, "late-" + saleId, orderId, false, 10).await().atMost(Duration.ofSeconds(3));
        assertEquals(StockReservations.Outcome.ORDER_ID_TAKEN, late.outcome());
        assertEquals(5, fixtures.redisStock(saleId));
    }

    /** Buyers, reservations, waitlist, promoted and voided ids expire with the sale, like meta and stock. */
    @Test
    void everyKeyOfASaleExpiresWithIt() {
        long saleId = fixtures.activeSale(1);
        String held = Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201).extract().path("orderId");
        Waitlists.join(saleId, Fixtures.newBuyer()).then().statusCode(202);
        Orders.cancel(held).then().statusCode(200); // promotes the waiter: promoted hash written
        Waitlists.join(saleId, Fixtures.newBuyer()).then().statusCode(202);
        reservations.resolve(saleId, OrderIds.next()).await().atMost(Duration.ofSeconds(3)); // voided set written
        SaleKeys keys = new SaleKeys(saleId);
        for (String key : new String[] {keys.meta(), keys.stock(), keys.buyers(), keys.reservations(),
                keys.waitlist(), keys.promoted(), keys.voided()}) {
            assertTrue(redis.key(String.class).exists(key), key + " exists");
            long ttl = redis.key(String.class).ttl(key);
            assertTrue(ttl > 0, key + " has an expiry (ttl " + ttl + ")");
        }
    }
}
