package io.flashsale;

import io.flashsale.support.PurchaseBurst;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flashsale.support.Fixtures;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Invariants 1-3 of ARCHITECTURE.md under a crowd of concurrent buyers. */
@QuarkusTest
class PurchaseConcurrencyTests {

    @Inject
    Fixtures fixtures;

    @TestHTTPResource("/")
    URL base;

    @Test
    void crowdNeverOversellsAndEachBuyerGetsAtMostOneUnit() throws Exception {
        int stock = 100;
        int buyers = 1000;
        long saleId = fixtures.activeSale(stock);

        // every buyer tries twice, all at once, in shuffled order
        List<String> attempts = new ArrayList<>();
        for (int i = 0; i < buyers; i++) {
            String buyer = "crowd-" + saleId + "-" + i;
            attempts.add(buyer);
            attempts.add(buyer);
        }
        Collections.shuffle(attempts);

        PurchaseBurst.Outcome burst = PurchaseBurst.run(base.toURI(), saleId, attempts, Duration.ofSeconds(120));
        assertTrue(burst.answered(), "all purchases answered");
        Map<Integer, AtomicInteger> statuses = burst.statuses();
        Map<String, AtomicInteger> winsPerBuyer = burst.wins();

        assertEquals(stock, statuses.get(201).get(), "exactly the stock is sold: " + statuses);
        assertTrue(statuses.keySet().stream().allMatch(s -> s == 201 || s == 409), "only 201/409: " + statuses);
        assertTrue(winsPerBuyer.values().stream().allMatch(w -> w.get() == 1), "one unit per buyer");
        assertEquals(stock, fixtures.count("SELECT COUNT(*) FROM orders WHERE sale_id = ?", saleId));
        assertEquals(stock, fixtures.count("SELECT COUNT(DISTINCT user_id) FROM orders WHERE sale_id = ?", saleId));
        assertEquals(stock, fixtures.count("SELECT COUNT(*) FROM outbox_events e JOIN orders o ON o.id = e.aggregate_id"
                + " WHERE o.sale_id = ?", saleId), "one created event per order");
        assertEquals(0, fixtures.redisStock(saleId));
        assertEquals(stock, fixtures.redisBuyers(saleId));
        fixtures.assertConservation(saleId, stock);
    }
}
