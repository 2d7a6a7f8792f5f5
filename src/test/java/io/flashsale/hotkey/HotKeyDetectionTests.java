package io.flashsale.hotkey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.flashsale.sale.SaleKeys;
import io.flashsale.support.Fixtures;
import io.flashsale.support.LiveStream;
import io.flashsale.support.Management;
import io.flashsale.support.Waitlists;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hot-key detection end to end over the real Redis pub/sub channels, with the production timings
 * (500 ms reports and broadcasts, 1 s window, 5 s cool-down, 2 s staleness): only the thresholds
 * are lowered, so this 2-core machine can produce a burst above them.
 * <p>
 * Two instances: the application under test (role all: it serves, reports, and as the worker
 * aggregates and broadcasts) and a second detector node in the test JVM, built from the same
 * classes with its own counters, its own instance id, its own reporter and its own hot set on its
 * own pub/sub connection. Each takes half of the burst, below the threshold alone: only the
 * worker's sum over both makes the sale hot, and each must hear the broadcast.
 */
@QuarkusTest
@TestProfile(HotKeyDetectionTests.LowThresholds.class)
class HotKeyDetectionTests {

    /** Per instance 300 req/s: below the hot rate alone, above it summed over the two instances. */
    static final int RATE_PER_INSTANCE = 300;
    static final int PAGE_SENDERS = 6;
    static final double HOT_RATE = 400;
    static final double COOL_RATE = 200;

    public static class LowThresholds implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("flashsale.hotkey.hot-rate", Double.toString(HOT_RATE),
                    "flashsale.hotkey.cool-rate", Double.toString(COOL_RATE));
        }
    }

    @TestHTTPResource("/")
    URL base;

    @Inject
    Fixtures fixtures;

    @Inject
    HotSet hotSet;

    @Inject
    HotKeyConfig config;

    @Inject
    ReactiveRedisDataSource reactiveRedis;

    @Inject
    RedisDataSource redis;

    @Inject
    Clock clock;

    @Inject
    MeterRegistry meters;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private ScheduledExecutorService load;
    private AccessCounters secondCounters;
    private HotKeyReporter secondReporter;
    private HotSet secondHotSet;

    @BeforeEach
    void startTheSecondNode() {
        load = Executors.newScheduledThreadPool(PAGE_SENDERS + 2);
        secondCounters = new AccessCounters(clock);
        secondReporter = new HotKeyReporter(reactiveRedis, secondCounters, config, clock, "second-node");
        secondHotSet = new HotSet(reactiveRedis, config, clock, new SimpleMeterRegistry());
        secondReporter.start();
        secondHotSet.start();
    }

    @AfterEach
    void stopTheSecondNode() throws InterruptedException {
        load.shutdownNow();
        load.awaitTermination(5, TimeUnit.SECONDS);
        secondReporter.stop();
        secondHotSet.stop();
    }

    @Test
    void aBurstOnOneSaleIsFlaggedHotOnEveryInstanceWithinTwoSecondsAndClearsAfterIt() throws Exception {
        long hot = fixtures.activeSale(10);
        long quiet = fixtures.activeSale(10);
        assertFalse(hotSet.isHot(hot) || secondHotSet.isHot(hot));

        // warm: the first page of each sale is rendered (and the code paths compiled) before the burst
        assertEquals(200, get("api/sales/" + hot));
        assertEquals(200, get("api/sales/" + quiet));
        AtomicLong pageRequests = new AtomicLong();
        long burstStarted = System.nanoTime();
        // the app: up to 300 sale-page requests a second over HTTP (six senders, one every 20 ms each, on
        // kept-alive connections; a loaded machine answers fewer); the second node: 300 purchase attempts a second, counted as its
        // resource counts them; the quiet sale: 5 page requests a second
        for (int sender = 0; sender < PAGE_SENDERS; sender++) {
            load.scheduleAtFixedRate(() -> {
                if (get("api/sales/" + hot) == 200) {
                    pageRequests.incrementAndGet();
                }
            }, 0, 1000 * PAGE_SENDERS / RATE_PER_INSTANCE, TimeUnit.MILLISECONDS);
        }
        load.scheduleAtFixedRate(() -> {
            for (int i = 0; i < RATE_PER_INSTANCE / 100; i++) {
                secondCounters.count(hot, KeyFamily.PURCHASE);
            }
        }, 0, 10, TimeUnit.MILLISECONDS);
        load.scheduleAtFixedRate(() -> get("api/sales/" + quiet), 0, 200, TimeUnit.MILLISECONDS);

        long appFlagged = awaitMillis(() -> hotSet.isHot(hot), burstStarted, 2_000, "the app flags the sale hot");
        long secondFlagged = awaitMillis(() -> secondHotSet.isHot(hot), burstStarted, 2_000,
                "the second node flags the sale hot");
        System.out.printf("[hotkey] burst detected on the app after %d ms, on the second node after %d ms "
                + "(detection latency metric: app %d ms, second node %d ms)%n", appFlagged, secondFlagged,
                hotSet.flag(hot).orElseThrow().detectionMillis(), secondHotSet.flag(hot).orElseThrow().detectionMillis());
        assertTrue(pageRequests.get() > 0, "the app answered the burst");

        HotSale flagged = hotSet.flag(hot).orElseThrow().sale();
        assertEquals(2, flagged.instances(), "both instances reported the sale: " + flagged);
        assertTrue(flagged.perFamily().get(KeyFamily.PAGE) < HOT_RATE, "the app alone is below the threshold: " + flagged);
        assertTrue(flagged.perFamily().get(KeyFamily.PURCHASE) < HOT_RATE, "so is the second node: " + flagged);
        assertEquals(1, flagged.recommendedBuckets(), "a few hundred purchases a second fit one shard");
        assertFalse(hotSet.isHot(quiet), "the quiet sale is not flagged");
        assertFalse(secondHotSet.isHot(quiet));

        // the signals: the gauge and the detection latency on the management port, the console's snapshot
        String metrics = Management.given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("flashsale_hotkey_hot{sale=\"" + hot + "\"} 1.0"), metrics);
        assertFalse(metrics.contains("flashsale_hotkey_hot{sale=\"" + quiet + "\"}"));
        assertTrue(metrics.matches("(?s).*flashsale_hotkey_detection_latency_seconds_count(\\{[^}]*})? [1-9].*"),
                "the detection latency was recorded");
        assertTrue(metrics.contains("flashsale_hotkey_rate{sale=\"" + hot + "\"}"));
        assertTrue(metrics.contains("flashsale_hotkey_recommended_buckets{sale=\"" + hot + "\"} 1.0"));
        try (LiveStream stream = LiveStream.open(URI.create(base + "api/ops/sales/" + hot + "/live"))) {
            JsonNode snapshot = stream.next();
            assertTrue(snapshot.at("/hotKeys/hot").asBoolean(), snapshot.toString());
            assertTrue(snapshot.at("/hotKeys/flags/0").asText().startsWith("hot: "), snapshot.toString());
            assertTrue(snapshot.at("/hotKeys/ratePerSecond").asDouble() >= HOT_RATE, snapshot.toString());
            assertEquals(1, snapshot.at("/hotKeys/recommendedBuckets").asInt());
        }
        try (LiveStream stream = LiveStream.open(URI.create(base + "api/ops/sales/" + quiet + "/live"))) {
            JsonNode snapshot = stream.next();
            assertFalse(snapshot.at("/hotKeys/hot").asBoolean(), snapshot.toString());
            assertEquals(0, snapshot.at("/hotKeys/flags").size());
        }

        // the burst ends: the rate falls below the cool rate within a second, the flag stays for the cool-down
        load.shutdownNow();
        assertTrue(load.awaitTermination(5, TimeUnit.SECONDS));
        long burstEnded = System.nanoTime();
        Thread.sleep(config.coolDown().toMillis() - 1_500);
        assertTrue(hotSet.isHot(hot) && secondHotSet.isHot(hot), "hysteresis: still hot during the cool-down");
        long appCleared = awaitMillis(() -> !hotSet.isHot(hot), burstEnded, config.coolDown().toMillis() + 5_000,
                "the app clears the flag");
        awaitMillis(() -> !secondHotSet.isHot(hot), burstEnded, config.coolDown().toMillis() + 5_000,
                "the second node clears the flag");
        System.out.printf("[hotkey] flag cleared %d ms after the burst ended%n", appCleared);
        String after = Management.given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(after.contains("flashsale_hotkey_hot{sale=\"" + hot + "\"} 0.0"), after);
    }

    @Test
    void aHotSalesWaitlistStatusIsServedFromMemoryWithoutAskingRedis() throws Exception {
        long hot = soldOutSaleWithWaiter("hot-waiter");
        long cold = soldOutSaleWithWaiter("cold-waiter");
        // the second node alone pushes the sale over the threshold (reported over the real channel)
        load.scheduleAtFixedRate(() -> {
            for (int i = 0; i < 6; i++) {
                secondCounters.count(hot, KeyFamily.PAGE);
            }
        }, 0, 10, TimeUnit.MILLISECONDS);
        awaitMillis(() -> hotSet.isHot(hot), System.nanoTime(), 3_000, "the sale flagged hot");
        assertFalse(hotSet.isHot(cold));

        // 20 reads of one buyer's status: Redis is asked once per read-cache-ttl, the others come from memory
        double fromRedis = reads("redis");
        double fromMemory = reads("memory");
        long started = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            Waitlists.status(hot, "hot-waiter").then().statusCode(200);
        }
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        long allowed = 1 + tookMillis / config.readCacheTtl().toMillis();
        double asked = reads("redis") - fromRedis;
        assertTrue(asked >= 1 && asked <= allowed, asked + " reads went to Redis in " + tookMillis + " ms");
        assertEquals(20 - asked, reads("memory") - fromMemory, 0.001);

        // the proof that Redis is not asked: take the waiter out behind the service's back; the hot sale still
        // answers WAITING from memory while the buyer's entry is younger than read-cache-ttl (a loaded machine
        // may stall past it: then the entry is refreshed and the step tried again)
        boolean servedFromMemory = false;
        for (int attempt = 0; attempt < 5 && !servedFromMemory; attempt++) {
            redis.sortedSet(String.class).zadd(new SaleKeys(hot).waitlist(), 1, "hot-waiter");
            long refreshed = refreshedEntry(hot, "hot-waiter");
            redis.sortedSet(String.class).zrem(new SaleKeys(hot).waitlist(), "hot-waiter");
            int status = Waitlists.status(hot, "hot-waiter").statusCode();
            if ((System.nanoTime() - refreshed) / 1_000_000 < config.readCacheTtl().toMillis() - 100) {
                assertEquals(200, status, "a hot sale's waitlist status within the TTL comes from memory");
                servedFromMemory = true;
            }
        }
        assertTrue(servedFromMemory, "the machine stalled past the TTL in every attempt");
        long removed = System.nanoTime();
        // bounded staleness: after the TTL, the truth
        awaitMillis(() -> Waitlists.status(hot, "hot-waiter").statusCode() == 404, removed,
                config.readCacheTtl().toMillis() + 1_000, "the stale answer expires");
        // a cold sale reads Redis every time: the same removal is seen at once
        redis.sortedSet(String.class).zrem(new SaleKeys(cold).waitlist(), "cold-waiter");
        Waitlists.status(cold, "cold-waiter").then().statusCode(404);
    }

    /** Reads the buyer's status until a read goes to Redis (so the entry in memory is fresh); its time. */
    private long refreshedEntry(long saleId, String waiter) throws InterruptedException {
        double before = reads("redis");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            long asked = System.nanoTime();
            Waitlists.status(saleId, waiter).then().statusCode(200);
            if (reads("redis") > before) {
                return asked;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no read of " + waiter + " went to Redis within 5 s");
    }

    /** A GET on the app: its status, or -1 when it failed (the load goes on). */
    private int get(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private long soldOutSaleWithWaiter(String waiter) {
        long saleId = fixtures.activeSale(1);
        Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201);
        Waitlists.join(saleId, waiter).then().statusCode(202);
        Waitlists.status(saleId, waiter).then().statusCode(200);
        return saleId;
    }

    private double reads(String from) {
        return meters.counter("flashsale.hotkey.reads", "family", "waitlist", "from", from).count();
    }

    /** Waits (polling every 10 ms) until {@code condition}; the milliseconds since {@code since}, or fails. */
    private static long awaitMillis(BooleanSupplier condition, long since, long withinMillis, String what)
            throws InterruptedException {
        while (!condition.getAsBoolean()) {
            long elapsed = (System.nanoTime() - since) / 1_000_000;
            if (elapsed > withinMillis) {
                throw new AssertionError(what + ": not within " + withinMillis + " ms");
            }
            Thread.sleep(10);
        }
        return (System.nanoTime() - since) / 1_000_000;
    }
}
