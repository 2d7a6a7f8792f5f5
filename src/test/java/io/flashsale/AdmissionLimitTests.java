package io.flashsale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flashsale.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * Bounded resources: 429 RATE_LIMITED when an instance is past its in-flight budget, and
 * 409 WAITLIST_FULL when a sale's waitlist is at capacity. Neither reserves anything.
 */
@QuarkusTest
@TestProfile(AdmissionLimitTests.OneInFlight.class)
class AdmissionLimitTests {

    public static class OneInFlight implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // one purchase at a time, and each one waits for a slow-to-fill batch
            return Map.of("flashsale.purchase.max-in-flight", "1",
                    "flashsale.order.batch.max-wait", "200MS",
                    "flashsale.waitlist.max-length", "2");
        }
    }

    @Inject
    Fixtures fixtures;

    @Test
    void purchasesBeyondTheInFlightBudgetAreRateLimited() throws Exception {
        int stock = 50;
        long saleId = fixtures.activeSale(stock);
        ExecutorService pool = Executors.newFixedThreadPool(20);
        List<CompletableFuture<Response>> answers = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String buyer = Fixtures.newBuyer();
            answers.add(CompletableFuture.supplyAsync(() -> Fixtures.purchase(saleId, buyer), pool));
        }
        int created = 0;
        int limited = 0;
        for (CompletableFuture<Response> answer : answers) {
            Response response = answer.get();
            if (response.statusCode() == 201) {
                created++;
            } else {
                assertEquals(429, response.statusCode(), response.asString());
                assertEquals("application/problem+json", response.contentType());
                assertEquals("RATE_LIMITED", response.jsonPath().getString("code"));
                assertEquals("1", response.header("Retry-After"));
                limited++;
            }
        }
        pool.shutdown();
        assertTrue(created >= 1, "some buyers got through");
        assertTrue(limited >= 1, "some buyers were rate limited");
        assertEquals(stock - created, fixtures.redisStock(saleId), "a rate-limited buyer reserved nothing");
        fixtures.assertConservation(saleId, stock);
    }

    @Test
    void waitlistBeyondItsCapacityIsRefused() {
        long saleId = fixtures.activeSale(1);
        Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201);
        String first = Fixtures.newBuyer();
        io.flashsale.support.Waitlists.join(saleId, first).then().statusCode(202);
        io.flashsale.support.Waitlists.join(saleId, Fixtures.newBuyer()).then().statusCode(202);
        io.flashsale.support.Waitlists.join(saleId, Fixtures.newBuyer())
                .then().statusCode(409)
                .contentType("application/problem+json")
                .body("code", org.hamcrest.Matchers.equalTo("WAITLIST_FULL"));
        // someone already waiting keeps their place even when the list is full
        io.flashsale.support.Waitlists.join(saleId, first).then().statusCode(202)
                .body("position", org.hamcrest.Matchers.equalTo(1));
        fixtures.assertConservation(saleId, 1);
    }
}
