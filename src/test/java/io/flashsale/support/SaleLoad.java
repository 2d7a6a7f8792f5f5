package io.flashsale.support;

import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A crowd buying one sale while a test injects faults: {@code clients} threads send purchases
 * from fresh buyers until stopped, and every answer is recorded, so the test can check each 201
 * against the database afterwards.
 */
public final class SaleLoad implements AutoCloseable {

    /** One answer: HTTP status, and the order id of a 201. */
    public record Answer(String buyer, int status, String orderId) {
    }

    private final long saleId;
    private final ExecutorService pool;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Answer> answers = new CopyOnWriteArrayList<>();
    private final AtomicInteger buyers = new AtomicInteger();

    private SaleLoad(long saleId, int clients) {
        this.saleId = saleId;
        this.pool = Executors.newFixedThreadPool(clients);
        for (int i = 0; i < clients; i++) {
            pool.submit(this::buyUntilStopped);
        }
    }

    public static SaleLoad start(long saleId, int clients) {
        return new SaleLoad(saleId, clients);
    }

    private void buyUntilStopped() {
        while (running.get()) {
            String buyer = "crowd-" + saleId + "-" + buyers.incrementAndGet();
            try {
                Response r = Fixtures.purchase(saleId, buyer).then().extract().response();
                answers.add(new Answer(buyer, r.statusCode(), r.statusCode() == 201 ? r.jsonPath().getString("orderId") : null));
            } catch (RuntimeException e) {
                answers.add(new Answer(buyer, -1, null)); // no answer at all (connection error)
            }
        }
    }

    /** Stops sending and waits for the answers still in flight. */
    public List<Answer> stop() throws InterruptedException {
        running.set(false);
        pool.shutdown();
        if (!pool.awaitTermination(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("purchases still unanswered after 60 s");
        }
        return List.copyOf(answers);
    }

    public int answered() {
        return answers.size();
    }

    public long count(int status) {
        return answers.stream().filter(a -> a.status() == status).count();
    }

    public static Map<Integer, Long> byStatus(List<Answer> answers) {
        Map<Integer, Long> counts = new ConcurrentHashMap<>();
        answers.forEach(a -> counts.merge(a.status(), 1L, Long::sum));
        return new java.util.TreeMap<>(counts);
    }

    @Override
    public void close() throws InterruptedException {
        if (running.get()) {
            stop();
        }
    }
}
