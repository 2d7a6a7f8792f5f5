package io.flashsale.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A crowd's purchases released at once: one POST per entry of {@code attempts} (a buyer listed
 * twice asks twice, concurrently), 64 at a time, each with the buyer's own token. Returns what the
 * crowd was told, for the caller's invariant checks.
 */
public final class PurchaseBurst {

    /**
     * @param statuses HTTP status -> how many answers had it (-1: no answer, a client error)
     * @param wins     buyer -> how many 201s the buyer got
     * @param answered false if not every purchase was answered in time
     */
    public record Outcome(Map<Integer, AtomicInteger> statuses, Map<String, AtomicInteger> wins, boolean answered) {
    }

    private PurchaseBurst() {
    }

    public static Outcome run(URI base, long saleId, List<String> attempts, Duration timeout)
            throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        URI uri = base.resolve("/api/sales/" + saleId + "/purchases");
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> wins = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(64);
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(attempts.size());
        for (String buyer : attempts) {
            pool.submit(() -> {
                try {
                    start.await();
                    HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri)
                            .header("Content-Type", "application/json")
                            .header("Authorization", Tokens.bearer(Tokens.buyer(buyer)))
                            .POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    statuses.computeIfAbsent(response.statusCode(), s -> new AtomicInteger()).incrementAndGet();
                    if (response.statusCode() == 201) {
                        wins.computeIfAbsent(buyer, b -> new AtomicInteger()).incrementAndGet();
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
        boolean answered = done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        pool.shutdown();
        return new Outcome(statuses, wins, answered);
    }
}
