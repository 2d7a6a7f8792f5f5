package io.flashsale;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flashsale.purchase.PurchaseConfig;
import io.flashsale.sale.SaleKeys;
import io.flashsale.support.Fixtures;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** API.md: "The same Idempotency-Key for the same user and sale returns the first answer again." */
@QuarkusTest
class IdempotencyTests {

    @Inject
    Fixtures fixtures;

    @Inject
    RedisDataSource redis;

    @Inject
    PurchaseConfig config;

    @Inject
    io.flashsale.purchase.IdempotencyStore store;

    private static Response purchase(long saleId, String userId, String key) {
        return given().contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body("{\"userId\":\"" + userId + "\"}")
                .when().post("/api/sales/" + saleId + "/purchases").then().extract().response();
    }

    @Test
    void twentyConcurrentRequestsWithOneKeyBuyOnceAndAllGetTheSameAnswer() throws Exception {
        long saleId = fixtures.activeSale(5);
        String buyer = Fixtures.newBuyer();
        ExecutorService clients = Executors.newFixedThreadPool(20);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Response>> answers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            answers.add(clients.submit(() -> {
                start.await();
                return purchase(saleId, buyer, "same-key");
            }));
        }
        start.countDown();
        List<String> bodies = new ArrayList<>();
        for (Future<Response> answer : answers) {
            Response r = answer.get();
            assertEquals(201, r.statusCode(), r.asString());
            bodies.add(r.asString());
        }
        clients.shutdown();
        assertEquals(1, bodies.stream().distinct().count(), "every client saw the first answer: " + bodies);
        assertEquals(1, fixtures.activeOrders(saleId));
        assertEquals(4, fixtures.redisStock(saleId));
        fixtures.assertConservation(saleId, 5);
    }

    @Inject
    io.flashsale.common.ApiLimitsConfig limits;

    /**
     * Every key's answer is kept for a day, so keys are counted against the buyer: past the limit a
     * new key is refused (429, nothing bought, nothing stored), while the keys already used still
     * replay their answers and other buyers are not affected.
     */
    @Test
    void aBuyerMayUseOnlySoManyKeysPerSale() {
        long saleId = fixtures.activeSale(5);
        String buyer = Fixtures.newBuyer();
        int allowed = limits.idempotencyKeysPerBuyer();
        String first = purchase(saleId, buyer, "intent-0").then().statusCode(201).extract().asString();
        for (int i = 1; i < allowed; i++) {
            purchase(saleId, buyer, "intent-" + i).then().statusCode(409);
        }
        purchase(saleId, buyer, "intent-" + allowed).then().statusCode(429)
                .contentType("application/problem+json").header("Retry-After", "1")
                .body("code", org.hamcrest.Matchers.equalTo("RATE_LIMITED"));
        assertEquals(null, redis.value(String.class).get(new SaleKeys(saleId).idempotency(buyer, "intent-" + allowed)),
                "a refused key stores nothing");
        assertEquals(allowed, redis.set(String.class).scard(new SaleKeys(saleId).idempotencyKeysOf(buyer)));
        // a key already counted still replays, even at the limit
        assertEquals(first, purchase(saleId, buyer, "intent-0").then().statusCode(201).extract().asString());
        // the count is per buyer
        purchase(saleId, Fixtures.newBuyer(), "intent-" + allowed).then().statusCode(201);
        assertEquals(2, fixtures.activeOrders(saleId));
        fixtures.assertConservation(saleId, 5);
    }

    /**
     * A process that died mid-request leaves its in-progress claim behind. The claim lives for the
     * short lease, not for the day a final answer is kept: after it, the key works again.
     */
    @Test
    void claimLeftByACrashedRequestExpiresAfterTheLease() {
        long saleId = fixtures.activeSale(5);
        String buyer = Fixtures.newBuyer();
        String key = new SaleKeys(saleId).idempotency(buyer, "crash-key");
        // the store claims the key, then the purchase never ends: the process "died" mid-request
        store.once(saleId, buyer, "crash-key", () -> io.smallrye.mutiny.Uni.createFrom().nothing())
                .subscribe().with(answer -> { }, failure -> { });
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                .until(() -> redis.key(String.class).exists(key));
        long ttl = redis.key(String.class).pttl(key);
        assertTrue(ttl > 0 && ttl <= config.idempotencyLease().toMillis(), "claim ttl " + ttl);
        assertTrue(config.idempotencyLease().compareTo(config.idempotencyTtl()) < 0);
        // while the claim lives, a retry is told to come back (503), and nothing is bought
        Response blocked = purchase(saleId, buyer, "crash-key");
        assertEquals(503, blocked.statusCode(), blocked.asString());
        assertEquals(0, fixtures.activeOrders(saleId));

        redis.key(String.class).pexpire(key, 1); // the lease runs out
        Response retried = purchase(saleId, buyer, "crash-key");
        assertEquals(201, retried.statusCode(), retried.asString());
        // the final answer is kept for the long ttl
        assertTrue(redis.key(String.class).pttl(key) > config.idempotencyLease().toMillis());
    }

    /** Before: "a:b" + key "c" and "a" + key "b:c" shared one Redis key, so one buyer got the other's order. */
    @Test
    void userAndKeyNeverCollideWithAnotherPair() {
        long saleId = fixtures.activeSale(5);
        String suffix = Fixtures.newBuyer();
        Response first = purchase(saleId, "a:" + suffix, "c");
        Response second = purchase(saleId, "a", suffix + ":c");
        assertEquals(201, first.statusCode(), first.asString());
        assertEquals(201, second.statusCode(), second.asString());
        assertEquals("a", second.jsonPath().getString("userId"));
        assertNotEquals(first.jsonPath().getString("orderId"), second.jsonPath().getString("orderId"));
        assertEquals(2, fixtures.activeOrders(saleId));
    }
}
