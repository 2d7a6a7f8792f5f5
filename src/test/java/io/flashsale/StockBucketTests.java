package io.flashsale;

import io.flashsale.support.PurchaseBurst;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flashsale.common.OrderIds;
import io.flashsale.order.ReservationReconciler;
import io.flashsale.sale.SaleCatalog;
import io.flashsale.sale.SaleConfig;
import io.flashsale.sale.SaleKeys;
import io.flashsale.sale.SaleRebuilder;
import io.flashsale.sale.SaleSnapshot;
import io.flashsale.sale.StockReservations;
import io.flashsale.support.Fixtures;
import io.flashsale.support.Orders;
import io.flashsale.support.Tokens;
import io.flashsale.support.Waitlists;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.mutiny.subscription.Cancellable;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Stock buckets (README "Stock buckets"): a sale's stock spread over N hash tags. Runs in the
 * normal run (one Redis: every tag on the same node, the logic is the same) and in the cluster
 * run (-Predis-cluster: the buckets on different masters, see StockBucketClusterTests).
 */
@QuarkusTest
class StockBucketTests {

    @Inject
    Fixtures fixtures;

    @Inject
    RedisDataSource redis;

    @Inject
    ReactiveRedisDataSource reactiveRedis;

    @Inject
    SaleConfig saleConfig;

    @Inject
    StockReservations reservations;

    @Inject
    SaleCatalog catalog;

    @Inject
    ReservationReconciler reconciler;

    @Inject
    SaleRebuilder rebuilder;

    @TestHTTPResource("/")
    URL base;

    static long bucketedSale(int stock, int buckets) {
        String json = """
                {"sku":"SKU-%s","title":"Bucketed sale","priceCents":1999,"stock":%d,"buckets":%d,
                 "startsAt":"%s","endsAt":"%s"}""".formatted(UUID.randomUUID().toString().substring(0, 8), stock,
                buckets, Instant.now().minusSeconds(1), Instant.now().plus(Duration.ofHours(1)));
        return given().contentType(ContentType.JSON).body(json).when().post("/api/sales")
                .then().statusCode(201).body("buckets", equalTo(buckets))
                .extract().jsonPath().getLong("id");
    }

    /** A fresh buyer whose home bucket is {@code home}. */
    static String buyerWithHome(int home, int buckets) {
        while (true) {
            String buyer = Fixtures.newBuyer();
            if (SaleKeys.homeOf(buyer, buckets) == home) {
                return buyer;
            }
        }
    }

    long bucketStock(long saleId, int buckets, int bucket) {
        String value = redis.value(String.class).get(new SaleKeys(saleId, buckets).bucket(bucket).stock());
        return value == null ? -1 : Long.parseLong(value);
    }

    long bucketReservations(long saleId, int buckets, int bucket) {
        return redis.hash(String.class).hlen(new SaleKeys(saleId, buckets).bucket(bucket).reservations());
    }

    long activeFromBucket(long saleId, int bucket) {
        return fixtures.count("SELECT COUNT(*) FROM orders WHERE sale_id = ? AND stock_bucket = ?"
                + " AND status IN ('PENDING_PAYMENT','PAID')", saleId, bucket);
    }

    /** Per bucket: available + active orders whose unit it gave = its share; reservations = its pending orders. */
    void assertBucketConservation(long saleId, int stock, int buckets) {
        long available = 0;
        for (int b = 0; b < buckets; b++) {
            int share = stock / buckets + (b < stock % buckets ? 1 : 0);
            long left = bucketStock(saleId, buckets, b);
            assertTrue(left >= 0, "bucket " + b + " primed");
            assertEquals(share, left + activeFromBucket(saleId, b), "bucket " + b + " conserves its share");
            assertEquals(fixtures.count("SELECT COUNT(*) FROM orders WHERE sale_id = ? AND stock_bucket = ?"
                    + " AND status = 'PENDING_PAYMENT'", saleId, b), bucketReservations(saleId, buckets, b),
                    "bucket " + b + " reservations = its pending orders");
            available += left;
        }
        assertEquals(stock, available + fixtures.activeOrders(saleId), "sale conserves its stock");
    }

    @Test
    void createValidatesBuckets() {
        for (String buckets : List.of("0", "17", "-1", "\"3\"", "4")) {
            String json = """
                    {"sku":"SKU-b","title":"t","priceCents":1,"stock":3,"buckets":%s,
                     "startsAt":"%s","endsAt":"%s"}""".formatted(buckets, Instant.now(), Instant.now().plusSeconds(600));
            given().contentType(ContentType.JSON).body(json).when().post("/api/sales")
                    .then().statusCode(400).contentType("application/problem+json")
                    .body("code", equalTo("INVALID_REQUEST"));
        }
        long saleId = fixtures.activeSale(5);
        given().when().get("/api/sales/" + saleId).then().statusCode(200).body("buckets", equalTo(1));
    }

    @Test
    void idempotencyKeyIsClaimedInTheBuyersHomeBucketAndReplays() {
        int buckets = 3;
        long saleId = bucketedSale(3, buckets);
        String buyer = buyerWithHome(2, buckets);
        String first = given().contentType(ContentType.JSON).header("Idempotency-Key", "k-1")
                .body("{\"userId\":\"" + buyer + "\"}")
                .when().post("/api/sales/" + saleId + "/purchases").then().statusCode(201).extract().path("orderId");
        String again = given().contentType(ContentType.JSON).header("Idempotency-Key", "k-1")
                .body("{\"userId\":\"" + buyer + "\"}")
                .when().post("/api/sales/" + saleId + "/purchases").then().statusCode(201).extract().path("orderId");
        assertEquals(first, again, "the first answer replayed");
        SaleKeys keys = new SaleKeys(saleId, buckets);
        String claim = keys.idempotency(buyer, "k-1");
        assertTrue(claim.startsWith("fs:{" + keys.bucket(2).tag() + "}:"), claim);
        assertTrue(redis.value(String.class).get(claim).contains(first), "the answer is stored in the home bucket");
    }

    @Test
    void crowdOf2000On300Over3BucketsSellsExactlyTheStockOncePerBuyer() throws Exception {
        int stock = 300;
        int buckets = 3;
        int buyers = 2000;
        long saleId = bucketedSale(stock, buckets);
        List<String> attempts = new ArrayList<>();
        for (int i = 0; i < buyers; i++) {
            String buyer = "bcrowd-" + saleId + "-" + i;
            attempts.add(buyer);
            if (i % 4 == 0) {
                attempts.add(buyer); // a quarter try twice at once
            }
        }
        Collections.shuffle(attempts);
        PurchaseBurst.Outcome burst = PurchaseBurst.run(base.toURI(), saleId, attempts, Duration.ofSeconds(180));
        assertTrue(burst.answered(), "all purchases answered");
        Map<Integer, AtomicInteger> statuses = burst.statuses();
        Map<String, AtomicInteger> wins = burst.wins();

        assertEquals(stock, statuses.get(201).get(), "exactly the stock is sold: " + statuses);
        assertTrue(statuses.keySet().stream().allMatch(s -> s == 201 || s == 409), "only 201/409: " + statuses);
        assertTrue(wins.values().stream().allMatch(w -> w.get() == 1), "one unit per buyer");
        assertEquals(stock, fixtures.count("SELECT COUNT(*) FROM orders WHERE sale_id = ?", saleId));
        assertEquals(stock, fixtures.count("SELECT COUNT(DISTINCT user_id) FROM orders WHERE sale_id = ?", saleId));
        SaleKeys keys = new SaleKeys(saleId, buckets);
        long registered = 0;
        for (int b = 0; b < buckets; b++) {
            assertEquals(0, bucketStock(saleId, buckets, b), "bucket " + b + " sold out");
            for (String buyer : redis.hash(String.class).hgetall(keys.bucket(b).buyers()).keySet()) {
                assertEquals(b, keys.home(buyer), "a buyer is registered in their home bucket only");
                registered++;
            }
        }
        assertEquals(stock, registered, "one registry entry per buyer");
        assertBucketConservation(saleId, stock, buckets);
        given().when().get("/api/sales/" + saleId).then().statusCode(200)
                .body("available", equalTo(0)).body("reserved", equalTo(stock)).body("state", equalTo("SOLD_OUT"));
    }

    @Test
    void buyerWhoseHomeBucketIsEmptyBuysFromTheOthersInOrder() {
        int buckets = 3;
        long saleId = bucketedSale(3, buckets); // one unit per bucket
        String first = buyerWithHome(1, buckets);
        String second = buyerWithHome(1, buckets);
        String third = buyerWithHome(1, buckets);
        for (String buyer : List.of(first, second, third)) {
            Fixtures.purchase(saleId, buyer).then().statusCode(201);
        }
        // home 1 first, then the fixed order 2, 0
        assertEquals(List.of(1L, 1L, 1L), List.of(activeFromBucket(saleId, 1), activeFromBucket(saleId, 2),
                activeFromBucket(saleId, 0)));
        assertEquals(1, fixtures.count("SELECT COUNT(*) FROM orders WHERE user_id = ? AND stock_bucket = 2", second));
        assertEquals(1, fixtures.count("SELECT COUNT(*) FROM orders WHERE user_id = ? AND stock_bucket = 0", third));
        // the registry (home bucket) holds the rule: a second purchase is ALREADY_PURCHASED, not SOLD_OUT
        Fixtures.purchase(saleId, third).then().statusCode(409).body("code", equalTo("ALREADY_PURCHASED"));
        Fixtures.purchase(saleId, buyerWithHome(0, buckets)).then().statusCode(409).body("code", equalTo("SOLD_OUT"));
        assertBucketConservation(saleId, 3, buckets);
    }

    @Test
    void sellOutIsDetectedOnceAndAReleaseUndoesIt() throws Exception {
        int buckets = 3;
        int stock = 6;
        long saleId = bucketedSale(stock, buckets);
        try (SaleEvents subscription = saleEvents(saleId)) {
            List<String> events = subscription.kinds();
            List<String> orders = new CopyOnWriteArrayList<>();
            ExecutorService pool = Executors.newFixedThreadPool(16);
            List<java.util.concurrent.Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                calls.add(pool.submit(() -> {
                    var response = Fixtures.purchase(saleId, Fixtures.newBuyer());
                    if (response.statusCode() == 201) {
                        orders.add(response.jsonPath().getString("orderId"));
                    }
                }));
            }
            for (var call : calls) {
                call.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();
            assertEquals(stock, orders.size());
            SaleKeys keys = new SaleKeys(saleId, buckets);
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> events.contains("soldout"));
            Thread.sleep(300);
            assertEquals(List.of("soldout"), events, "every bucket empty: one broadcast");
            assertEquals("1", redis.value(String.class).get(keys.soldOut()));

            Orders.cancel(orders.get(0)).then().statusCode(200);
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> events.contains("available"));
            assertNull(redis.value(String.class).get(keys.soldOut()));
            Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201);
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> events.size() == 3);
            assertEquals(List.of("soldout", "available", "soldout"), events);
        }
    }

    @Test
    void releaseReturnsTheUnitToTheBucketItCameFrom() {
        int buckets = 3;
        long saleId = bucketedSale(3, buckets);
        String homeOwner = buyerWithHome(0, buckets);
        String fallbackBuyer = buyerWithHome(0, buckets);
        Fixtures.purchase(saleId, homeOwner).then().statusCode(201);
        String orderId = Fixtures.purchase(saleId, fallbackBuyer).then().statusCode(201).extract().path("orderId");
        assertEquals(List.of(0L, 0L, 1L), List.of(bucketStock(saleId, buckets, 0), bucketStock(saleId, buckets, 1),
                bucketStock(saleId, buckets, 2)));

        Orders.cancel(orderId).then().statusCode(200);
        assertEquals(List.of(0L, 1L, 1L), List.of(bucketStock(saleId, buckets, 0), bucketStock(saleId, buckets, 1),
                bucketStock(saleId, buckets, 2)), "the unit went back to bucket 1, where it came from");
        assertNull(redis.hash(String.class).hget(new SaleKeys(saleId, buckets).bucket(0).buyers(), fallbackBuyer),
                "the buyer's registry entry (home bucket 0) is gone");
        assertBucketConservation(saleId, 3, buckets);
        Fixtures.purchase(saleId, fallbackBuyer).then().statusCode(201); // may buy again
        assertBucketConservation(saleId, 3, buckets);
    }

    @Test
    void releaseLooksFirstInTheBucketTheOrderRowRecordsAndFallsBackToAllOfThem() {
        int buckets = 3;
        long saleId = bucketedSale(6, buckets);
        SaleKeys keys = new SaleKeys(saleId, buckets);
        String orderId = Fixtures.purchase(saleId, buyerWithHome(2, buckets)).then().statusCode(201)
                .extract().path("orderId");
        long id = OrderIds.parse(orderId).orElseThrow();
        assertEquals(1, fixtures.count("SELECT COUNT(*) FROM orders WHERE id = ? AND stock_bucket = 2", id));
        // a decoy entry for the same id in bucket 0, which a lookup of every bucket would find first
        redis.hash(String.class).hset(keys.bucket(0).reservations(), Long.toString(id),
                new io.flashsale.sale.ReservationEntry("decoy", System.currentTimeMillis()).format());
        try {
            Orders.cancel(orderId).then().statusCode(200);
            assertNull(redis.hash(String.class).hget(keys.bucket(2).reservations(), Long.toString(id)),
                    "the release went to bucket 2, which the order row names");
            assertEquals(2, bucketStock(saleId, buckets, 2));
            assertEquals("decoy", io.flashsale.sale.ReservationEntry.parse(
                    redis.hash(String.class).hget(keys.bucket(0).reservations(), Long.toString(id))).userId(),
                    "bucket 0 was not asked");
        } finally {
            redis.hash(String.class).hdel(keys.bucket(0).reservations(), Long.toString(id));
        }
        assertBucketConservation(saleId, 6, buckets);

        // a hint that misses (no such reservation there) falls back to asking every bucket
        String second = Fixtures.purchase(saleId, buyerWithHome(2, buckets)).then().statusCode(201)
                .extract().path("orderId");
        var released = reservations.releaseOrPromote(saleId, OrderIds.parse(second).orElseThrow(), 1,
                OrderIds.next()).await().atMost(Duration.ofSeconds(3));
        assertEquals(StockReservations.Release.Freed.TO_OPEN_SALE, released.freed());
        assertEquals(2, released.bucket());
        assertEquals(2, bucketStock(saleId, buckets, 2));
        fixtures.execute("UPDATE orders SET status = 'CANCELLED' WHERE id = " + OrderIds.parse(second).orElseThrow());
        assertBucketConservation(saleId, 6, buckets);
    }

    @Test
    void freedUnitGoesToTheWaitlistHeadWithoutEverBeingOnOpenSale() throws Exception {
        int buckets = 3;
        long saleId = bucketedSale(3, buckets);
        List<String> orders = new ArrayList<>(sellOut(saleId, 3).values());
        String waiter = Fixtures.newBuyer();
        String later = Fixtures.newBuyer();
        Waitlists.join(saleId, waiter).then().statusCode(202).body("position", equalTo(1));
        Waitlists.join(saleId, later).then().statusCode(202).body("position", equalTo(2));
        given().when().get("/api/sales/" + saleId).then().statusCode(200).body("waitlistLength", equalTo(2));
        SaleKeys keys = new SaleKeys(saleId, buckets);
        List<String> flipsBefore = flips(keys);

        try (SaleEvents events = saleEvents(saleId)) {
            Orders.cancel(orders.get(1)).then().statusCode(200);
            String promoted = Waitlists.status(saleId, waiter).then().statusCode(200)
                    .body("status", equalTo("PROMOTED")).extract().path("orderId");
            long promotedId = OrderIds.parse(promoted).orElseThrow();
            Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals(1,
                    fixtures.count("SELECT COUNT(*) FROM orders WHERE id = ? AND promoted AND status = 'PENDING_PAYMENT'",
                            promotedId)));
            Waitlists.status(saleId, later).then().statusCode(200).body("position", equalTo(1));
            Thread.sleep(300); // a late "available" would have arrived by now
            assertFalse(events.kinds().contains("available"),
                    "the sale never looked available to the crowd: " + events.kinds());
        }
        assertEquals(flipsBefore, flips(keys), "no bucket's stock went 0 -> 1");
        for (int b = 0; b < buckets; b++) {
            assertEquals(0, bucketStock(saleId, buckets, b), "the unit went to the waiter, not on open sale");
        }
        assertEquals("1", redis.value(String.class).get(keys.soldOut()), "still sold out for everyone else");
        assertBucketConservation(saleId, 3, buckets);
    }

    @Test
    void waitlistHeadWhoAlreadyHoldsAnOrderIsSkippedAndTheNextGetsTheUnit() {
        int buckets = 3;
        long saleId = bucketedSale(3, buckets);
        Map<String, String> sold = sellOut(saleId, 3);
        List<String> buyers = new ArrayList<>(sold.keySet());
        List<String> orders = new ArrayList<>(sold.values());
        String waiter = Fixtures.newBuyer();
        Waitlists.join(saleId, waiter).then().statusCode(202).body("position", equalTo(1));
        // a buyer who holds an order ends up at the head (e.g. joined, then won a unit elsewhere)
        SaleKeys keys = new SaleKeys(saleId, buckets);
        redis.sortedSet(String.class).zadd(keys.waitlist(), 1, buyers.get(0));

        Orders.cancel(orders.get(2)).then().statusCode(200);
        Waitlists.status(saleId, waiter).then().statusCode(200).body("status", equalTo("PROMOTED"));
        assertTrue(redis.sortedSet(String.class).zscore(keys.waitlist(), buyers.get(0)).isEmpty(),
                "the head who already held an order left the waitlist");
        given().header("Authorization", Tokens.bearer(Tokens.buyer(buyers.get(0)))).get("/api/me/orders")
                .then().statusCode(200).body("size()", equalTo(1)); // still exactly their one order
        for (int b = 0; b < buckets; b++) {
            assertEquals(0, bucketStock(saleId, buckets, b), "the unit went to the next waiter");
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals(3,
                fixtures.count("SELECT COUNT(*) FROM orders WHERE sale_id = ? AND status = 'PENDING_PAYMENT'", saleId)));
        assertBucketConservation(saleId, 3, buckets);
    }

    @Test
    void handOverCutShortByACrashIsSettledByTheReconcilerAndTheWaiterStillGetsTheUnit() throws Exception {
        int buckets = 3;
        long saleId = bucketedSale(3, buckets);
        Map<String, String> sold = sellOut(saleId, 3);
        List<String> buyers = new ArrayList<>(sold.keySet());
        List<String> orders = new ArrayList<>(sold.values());
        String waiter = Fixtures.newBuyer();
        Waitlists.join(saleId, waiter).then().statusCode(202).body("position", equalTo(1));
        SaleKeys keys = new SaleKeys(saleId, buckets);
        // a worker expiring an order "dies" right after handing its unit over: the reservation is the
        // waiter's under a new id, but they are neither registered nor promoted, and no order exists
        long expired = OrderIds.parse(orders.get(0)).orElseThrow();
        int bucket = -1;
        for (int b = 0; b < buckets; b++) {
            if (redis.hash(String.class).hget(keys.bucket(b).reservations(), Long.toString(expired)) != null) {
                bucket = b;
            }
        }
        fixtures.execute("UPDATE orders SET status = 'EXPIRED' WHERE id = " + expired);
        reservations.unregister(keys, buyers.get(0), expired).await().atMost(Duration.ofSeconds(3));
        long handedOver = OrderIds.next();
        assertEquals(io.flashsale.sale.lua.BucketHandOverScript.Code.HANDED_OVER,
                io.flashsale.sale.lua.BucketHandOverScript.run(reactiveRedis, keys.bucket(bucket),
                        new io.flashsale.sale.lua.BucketHandOverScript.Args(expired, handedOver, waiter), 0, 0)
                        .await().atMost(Duration.ofSeconds(3)).code());

        // after the grace the reconciler fences the id nobody wrote and frees the unit: to the waiter again
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            reconciler.reconcile(saleId, false);
            Waitlists.status(saleId, waiter).then().statusCode(200).body("status", equalTo("PROMOTED"));
        });
        assertEquals(1, fixtures.count("SELECT COUNT(*) FROM orders WHERE id = ? AND status = 'VOID'", handedOver),
                "the id of the cut-short hand-over is fenced");
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals(1, fixtures.count(
                "SELECT COUNT(*) FROM orders WHERE sale_id = ? AND user_id = ? AND promoted AND status = 'PENDING_PAYMENT'",
                saleId, waiter)));
        for (int b = 0; b < buckets; b++) {
            assertEquals(0, bucketStock(saleId, buckets, b), "the unit never went on open sale");
        }
        assertBucketConservation(saleId, 3, buckets);
    }

    /** Sells the whole stock, a unit per new buyer: buyer -> orderId, in the order of the sales. */
    static Map<String, String> sellOut(long saleId, int stock) {
        Map<String, String> orders = new java.util.LinkedHashMap<>();
        for (int i = 0; i < stock; i++) {
            String buyer = Fixtures.newBuyer();
            orders.put(buyer, Fixtures.purchase(saleId, buyer).then().statusCode(201).extract().path("orderId"));
        }
        return orders;
    }

    /** Each bucket's count of 0 <-> 1 stock transitions (meta field flips). */
    List<String> flips(SaleKeys keys) {
        List<String> all = new ArrayList<>();
        for (int b = 0; b < keys.buckets(); b++) {
            all.add(String.valueOf(redis.hash(String.class).hget(keys.bucket(b).meta(), "flips")));
        }
        return all;
    }

    /** The kinds ("soldout", "available", ...) of one sale's events on the events channel, as they come. */
    record SaleEvents(List<String> kinds, Cancellable subscription) implements AutoCloseable {

        @Override
        public void close() {
            subscription.cancel();
        }
    }

    SaleEvents saleEvents(long saleId) throws InterruptedException {
        List<String> kinds = new CopyOnWriteArrayList<>();
        Cancellable subscription = reactiveRedis.pubsub(String.class).subscribe(saleConfig.eventsChannel())
                .subscribe().with(message -> {
                    if (message.endsWith(":" + saleId)) {
                        kinds.add(message.substring(0, message.indexOf(':')));
                    }
                });
        Thread.sleep(300); // the subscription is in place
        return new SaleEvents(kinds, subscription);
    }

    @Test
    void orphanedReservationInAFallbackBucketIsFreedThere() throws Exception {
        int buckets = 3;
        long saleId = bucketedSale(3, buckets);
        Fixtures.purchase(saleId, buyerWithHome(0, buckets)).then().statusCode(201);
        SaleSnapshot sale = catalog.find(saleId).await().atMost(Duration.ofSeconds(3)).orElseThrow();
        // a process "dies" after taking a unit from bucket 1 (home 0 is empty) and registering, before the commit
        String died = buyerWithHome(0, buckets);
        var reservation = reservations.reserve(sale, died, OrderIds.next(), false, 10).await()
                .atMost(Duration.ofSeconds(3));
        assertEquals(StockReservations.Outcome.RESERVED, reservation.outcome());
        assertEquals(1, reservation.bucket());
        assertEquals(0, bucketStock(saleId, buckets, 1));

        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            reconciler.reconcile(saleId, false);
            assertEquals(1, bucketStock(saleId, buckets, 1), "the unit is back in bucket 1");
        });
        assertNull(redis.hash(String.class).hget(new SaleKeys(saleId, buckets).bucket(0).buyers(), died));
        assertBucketConservation(saleId, 3, buckets);
        Fixtures.purchase(saleId, died).then().statusCode(201);
    }

    @Test
    void rebuildRestoresOnlyTheLostBucket() throws Exception {
        int buckets = 3;
        int stock = 9;
        long saleId = bucketedSale(stock, buckets);
        List<String> orders = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            orders.add(Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201).extract().path("orderId"));
        }
        Orders.pay(orders.get(0), "pay-" + orders.get(0), 1999).then().statusCode(200);
        Orders.cancel(orders.get(1)).then().statusCode(200);
        SaleKeys keys = new SaleKeys(saleId, buckets);
        long[] before = new long[buckets];
        for (int b = 0; b < buckets; b++) {
            before[b] = bucketStock(saleId, buckets, b);
        }
        // bucket 1's shard lost its data (a failover to an empty replica): only its keys are gone
        SaleKeys.Bucket lost = keys.bucket(1);
        Map<String, String> lostBuyers = redis.hash(String.class).hgetall(lost.buyers());
        redis.key(String.class).del(lost.meta(), lost.stock(), lost.buyers(), lost.reservations(), lost.voided());

        assertTrue(rebuilder.rebuildIfMissing(saleId));
        for (int b = 0; b < buckets; b++) {
            assertEquals(before[b], bucketStock(saleId, buckets, b), "bucket " + b + " as before");
        }
        assertEquals(lostBuyers, redis.hash(String.class).hgetall(lost.buyers()), "bucket 1's registry restored");
        String generation = redis.hash(String.class).hget(keys.bucket(0).meta(), "gen");
        assertNotEquals("0", generation);
        for (int b = 0; b < buckets; b++) {
            assertEquals(generation, redis.hash(String.class).hget(keys.bucket(b).meta(), "gen"),
                    "every bucket reserves under the new generation");
        }
        assertBucketConservation(saleId, stock, buckets);
        // the sale goes on: the rest sells, exactly
        int sold = 0;
        for (int i = 0; i < 10; i++) {
            if (Fixtures.purchase(saleId, Fixtures.newBuyer()).statusCode() == 201) {
                sold++;
            }
        }
        assertEquals(stock - 5, sold);
        assertBucketConservation(saleId, stock, buckets);
        for (String buyer : lostBuyers.keySet()) {
            Fixtures.purchase(saleId, buyer).then().statusCode(409).body("code", equalTo("ALREADY_PURCHASED"));
        }
    }
}
