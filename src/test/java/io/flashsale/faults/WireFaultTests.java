package io.flashsale.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flashsale.common.OrderIds;
import io.flashsale.support.FaultProxies;
import io.flashsale.support.Fixtures;
import io.flashsale.support.SaleLoad;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.jboss.logging.Logger;

/**
 * Faults on the wire between the service and its stores, injected by a TCP proxy in front of
 * MariaDB and Redis (ARCHITECTURE.md "Under faults"): a COMMIT whose reply is lost, a Redis reply
 * that comes after the client gave up, the database unreachable mid-sale, Redis restarted empty
 * mid-sale. Each asserts the invariants against what every buyer was told.
 */
@QuarkusTest
@WithTestResource(FaultProxies.class)
class WireFaultTests {

    private static final Logger LOG = Logger.getLogger(WireFaultTests.class);

    @Inject
    Fixtures fixtures;

    @Inject
    MeterRegistry meters;

    @AfterEach
    void heal() {
        FaultProxies.heal();
    }

    private double doubts(String outcome) {
        var counter = meters.find("flashsale.order.commit.doubt").tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    /**
     * Item 1: the server commits a batch but the reply is lost. Before the fix the buyers got 503
     * and their units went back on sale while their orders existed (sold twice).
     */
    @Test
    void commitWhoseReplyIsLostIsLookedUpBeforeAnyoneIsAnswered() throws Exception {
        int stock = 200;
        long saleId = fixtures.activeSale(stock);
        List<SaleLoad.Answer> answers;
        double before = doubts("committed");
        try (SaleLoad crowd = SaleLoad.start(saleId, 8)) {
            // other jobs commit all the time: the trap waits for the COMMIT of an order batch (one that
            // inserted into orders); re-armed in case the batch it caught was resolved another way
            for (int i = 0; i < 5 && doubts("committed") == before; i++) {
                FaultProxies.db.dropReplyToNextMySqlCommitOf(sql -> sql.startsWith("INSERT INTO orders "))
                        .get(10, TimeUnit.SECONDS);
                Thread.sleep(300);
            }
            answers = crowd.stop();
        }
        assertTrue(doubts("committed") > before, "an order batch's commit reply was lost and resolved");
        LOG.infof("lost COMMIT replies: answers %s", SaleLoad.byStatus(answers));
        assertTrue(answers.stream().allMatch(a -> List.of(201, 409, 503).contains(a.status())),
                SaleLoad.byStatus(answers).toString());
        fixtures.assertInvariantsAfterFaults(saleId, stock, answers);
    }

    /**
     * Item 5: Redis runs the purchase script but its reply arrives after the client's 2 s timeout.
     * Before the fix: 503 "nothing was reserved" while the unit was reserved, and the buyer's retry
     * got ALREADY_PURCHASED with an order id that never existed.
     */
    @Test
    void purchaseWhoseRedisReplyIsLateIsSettledTruthfully() throws Exception {
        long saleId = fixtures.activeSale(5);
        String buyer = Fixtures.newBuyer();
        FaultProxies.redis.pauseReplies();
        CompletableFuture<Response> stalled;
        try {
            stalled = Fixtures.purchaseAsync(saleId, buyer);
            Thread.sleep(3_000); // past the purchase path's 2 s Redis timeout
        } finally {
            FaultProxies.redis.resume();
        }
        Response answer = stalled.get(30, TimeUnit.SECONDS);
        assertEquals(201, answer.statusCode(), "the script ran, so the buyer has a unit: " + answer.asString());
        String orderId = answer.jsonPath().getString("orderId");
        io.restassured.RestAssured.given().get("/api/orders/" + orderId).then().statusCode(200);
        // a retry learns the same, readable order
        Fixtures.purchase(saleId, buyer).then().statusCode(409)
                .body("code", org.hamcrest.Matchers.equalTo("ALREADY_PURCHASED"))
                .body("orderId", org.hamcrest.Matchers.equalTo(orderId));
        fixtures.assertConservation(saleId, 5);
    }

    /** Item 5, the other way round: Redis stalls before the script ran; a 503 must then be true. */
    @Test
    void purchaseStalledBeforeRedisRanItIsEitherBoughtOrTrulyNothing() throws Exception {
        long saleId = fixtures.activeSale(5);
        String buyer = Fixtures.newBuyer();
        FaultProxies.redis.pause();
        CompletableFuture<Response> stalled;
        try {
            stalled = Fixtures.purchaseAsync(saleId, buyer);
            Thread.sleep(3_000);
        } finally {
            FaultProxies.redis.resume();
        }
        Response answer = stalled.get(30, TimeUnit.SECONDS);
        assertTrue(List.of(201, 503).contains(answer.statusCode()), answer.asString());
        if (answer.statusCode() == 503) {
            // "nothing holds a unit for you": the retry buys, instead of ALREADY_PURCHASED with a phantom
            assertEquals(5, fixtures.redisStock(saleId));
            Fixtures.purchase(saleId, buyer).then().statusCode(201);
        }
        assertEquals(1, fixtures.activeOrders(saleId));
        fixtures.assertConservation(saleId, 5);
    }

    /** The crowd's page never touches the database: it keeps answering while the database is down. */
    @Test
    void salePageIsServedWhileTheDatabaseIsDown() throws Exception {
        long saleId = fixtures.activeSale(7);
        Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201);
        io.restassured.RestAssured.given().get("/api/sales/" + saleId).then().statusCode(200);
        FaultProxies.db.refuseConnections(true);
        FaultProxies.db.cutAll();
        try {
            for (int i = 0; i < 30; i++) {
                io.restassured.RestAssured.given().get("/api/sales/" + saleId).then().statusCode(200)
                        .body("available", org.hamcrest.Matchers.equalTo(6))
                        .body("reserved", org.hamcrest.Matchers.equalTo(1));
                Thread.sleep(100); // across several page-cache lifetimes: Redis is read, the DB never
            }
        } finally {
            FaultProxies.db.refuseConnections(false);
        }
    }

    /** The database unreachable for 10 s mid-sale: 503s meanwhile, then recovery, nothing lost or sold twice. */
    @Test
    void databaseUnreachableForTenSecondsMidSale() throws Exception {
        int stock = 300;
        long saleId = fixtures.activeSale(stock);
        List<SaleLoad.Answer> answers;
        try (SaleLoad crowd = SaleLoad.start(saleId, 8)) {
            awaitBuying(crowd);
            FaultProxies.db.refuseConnections(true);
            FaultProxies.db.cutAll();
            long during = crowd.answered();
            Thread.sleep(10_000);
            FaultProxies.db.refuseConnections(false);
            assertTrue(crowd.answered() > during, "buyers were answered during the outage, not left hanging");
            awaitRecovered(crowd);
            answers = crowd.stop();
        }
        LOG.infof("DB outage: answers %s", SaleLoad.byStatus(answers));
        assertTrue(answers.stream().anyMatch(a -> a.status() == 503), "the outage was felt");
        fixtures.assertInvariantsAfterFaults(saleId, stock, answers);
    }

    /** The sale is under way: the crowd has bought a few dozen units. */
    private static void awaitBuying(SaleLoad crowd) {
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> crowd.count(201) >= 40);
    }

    /** After the fault: the service sells again by itself (or the sale sold out meanwhile). */
    private static void awaitRecovered(SaleLoad crowd) {
        long before = crowd.count(201);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> crowd.count(201) > before + 20
                || crowd.count(409) > 0);
    }

    private static void flushTestRedisDirectly() throws java.io.IOException {
        try (var socket = new java.net.Socket("127.0.0.1", 6379)) {
            socket.setSoTimeout(5_000);
            var out = socket.getOutputStream();
            out.write("*2\r\n$6\r\nSELECT\r\n$1\r\n1\r\n*1\r\n$7\r\nFLUSHDB\r\n".getBytes());
            out.flush();
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream()));
            assertEquals("+OK", in.readLine());
            assertEquals("+OK", in.readLine());
        }
    }

    /** Redis restarted with its data lost mid-sale: rebuilt from the database at once, nothing sold twice. */
    @Test
    void redisRestartedEmptyMidSale() throws Exception {
        int stock = 300;
        long saleId = fixtures.activeSale(stock);
        List<SaleLoad.Answer> answers;
        try (SaleLoad crowd = SaleLoad.start(saleId, 8)) {
            awaitBuying(crowd);
            FaultProxies.redis.refuseConnections(true);
            FaultProxies.redis.cutAll();
            flushTestRedisDirectly(); // the restarted server has forgotten everything
            Thread.sleep(1_000);
            FaultProxies.redis.refuseConnections(false);
            awaitRecovered(crowd);
            answers = crowd.stop();
        }
        LOG.infof("Redis lost its data: answers %s", SaleLoad.byStatus(answers));
        fixtures.assertInvariantsAfterFaults(saleId, stock, answers);
        long created = answers.stream().filter(a -> a.status() == 201).count();
        assertTrue(fixtures.activeOrders(saleId) >= created);
        assertTrue(OrderIds.node() >= 0, "the node id lease was taken again after the flush");
    }
}
