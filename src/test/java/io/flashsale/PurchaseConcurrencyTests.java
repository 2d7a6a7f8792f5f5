package io.flashsale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flashsale.support.Fixtures;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
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

        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        URI uri = base.toURI().resolve("/api/sales/" + saleId + "/purchases");
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> winsPerBuyer = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(64);
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(attempts.size());
        for (String buyer : attempts) {
            pool.submit(() -> {
                try {
                    start.await();
                    HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri)
                            .header("Content-Type", "application/json")
                            .header("Authorization", io.flashsale.support.Tokens.bearer(
                                    io.flashsale.support.Tokens.buyer(buyer)))
                            .POST(HttpRequest.BodyPublishers.ofString("{}"))
                            .build(), HttpResponse.BodyHandlers.ofString());
                    statuses.computeIfAbsent(response.statusCode(), s -> new AtomicInteger()).incrementAndGet();
                    if (response.statusCode() == 201) {
                        winsPerBuyer.computeIfAbsent(buyer, b -> new AtomicInteger()).incrementAndGet();
                    }
                } catch (Exception e) {
                    statuses.computeIfAbsent(-1, s -> new AtomicInteger()).incrementAndGet();
                } finally {
                    done.countDown();
                }
                return null;
            });
        }
        start.countDown();
        assertTrue(done.await(120, TimeUnit.SECONDS), "all purchases answered");
        pool.shutdown();

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
