package io.flashsale.chaos;

import io.flashsale.support.Tokens;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flashsale.common.OrderIds;
import io.flashsale.sale.SaleKeys;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * "kill -9 mid-sale loses nothing and oversells nothing", as a repeatable test against the
 * packaged jar (plain JUnit, run by failsafe after {@code package}; not a Quarkus test).
 * <p>
 * Per round: a sale of {@value #STOCK} units; {@value #BUYERS} buyers send {@value #ATTEMPTS} purchases
 * each, {@value #CONCURRENCY} at a time, in a seeded random order; after a seeded random number of
 * answers the service gets SIGKILL. It is restarted, every buyer without a final answer retries,
 * the reconciler is given time to release reservations whose order never became durable, and then:
 * <ul>
 * <li>every 201 has its order row and exactly one {@code flashsale.order.created} outbox row (nothing lost);</li>
 * <li>active orders &lt;= stock, Redis available &gt;= 0 and available + active orders == stock (nothing
 * oversold, nothing stranded);</li>
 * <li>at most one active order per buyer;</li>
 * <li>no 5xx but 503.</li>
 * </ul>
 * The seed of a run is printed; {@code -Dchaos.seed=N} replays it. Short version: 2 rounds; the
 * {@code long} tag: 6 rounds ({@code ./mvnw verify -Dfaults.long -Dit.test=KillMidSaleIT}).
 */
class KillMidSaleIT {

    static final int STOCK = 300;
    static final int BUYERS = 1_000;
    static final int ATTEMPTS = 2;
    static final int CONCURRENCY = 32;
    /** Kill after this many answers (any status): from a few dozen units sold to about sold out. */
    static final int KILL_MIN_ANSWERS = 40;
    static final int KILL_MAX_ANSWERS = 300;
    static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(30);
    static final int RETRY_PASSES = 8;

    static final String DATABASE = "flashsale_chaos";
    static final String JDBC_URL = "jdbc:mariadb://127.0.0.1:3306/" + DATABASE;
    static final String DB_USER = "flashsale";
    static final String DB_PASSWORD = "flashsale";
    static final int REDIS_DB = 3;
    static final String TOPIC = "flashsale.chaos-events";
    static final String CREATED = "flashsale.order.created";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static ServiceProcess service;
    private static RedisProbe redis;

    @BeforeAll
    static void freshStateAndStart() throws Exception {
        resetDatabase();
        redis = new RedisProbe("127.0.0.1", 6379, REDIS_DB);
        redis.flushDb();
        Map<String, String> props = new LinkedHashMap<>();
        props.put("quarkus.http.host", "127.0.0.1");
        props.put("quarkus.datasource.jdbc.url", JDBC_URL);
        props.put("quarkus.redis.hosts", "redis://127.0.0.1:6379/" + REDIS_DB);
        // pub/sub channels are not scoped by logical database
        props.put("flashsale.sale.events-channel", "fs-chaos:sale-events");
        props.put("flashsale.outbox.topic", TOPIC);
        props.put("mp.messaging.incoming.sale-stats.topic", TOPIC);
        props.put("mp.messaging.incoming.sale-stats.group.id", "flashsale-chaos-stats");
        // the killed instance's consumer is evicted from the group quickly
        props.put("mp.messaging.incoming.sale-stats.session.timeout.ms", "6000");
        props.put("mp.messaging.incoming.sale-stats.heartbeat.interval.ms", "2000");
        props.put("mp.messaging.outgoing.sale-stats-dlq.topic", TOPIC + ".dlq");
        props.put("quarkus.management.enabled", "false");
        // tokens are signed with the test-only key (support/Tokens); the child verifies with its public half
        props.put("mp.jwt.verify.publickey.location", "src/test/resources/jwt/test-public.pem");
        // 1,000 buyers from one address, as a load generator is
        props.put("flashsale.api.client-rate", "100000");
        props.put("flashsale.api.client-burst", "100000");
        props.put("flashsale.lifecycle.reconcile-interval", "1S");
        props.put("flashsale.lifecycle.reservation-grace", "3S");
        service = new ServiceProcess("flashsale-chaos", Path.of("target", "chaos"), props);
        service.start(READY_TIMEOUT);
        // like FreshTestState: sale ids of this run never collide with events of earlier runs still in the topic
        execute("ALTER TABLE sales AUTO_INCREMENT = " + System.currentTimeMillis() / 1000);
    }

    @AfterAll
    static void stop() throws Exception {
        if (service != null) {
            service.stop();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void killMidSaleLosesNothingAndOversellsNothing() throws Exception {
        rounds(2);
    }

    @Test
    @Tag("long")
    void killMidSaleSixTimes() throws Exception {
        rounds(6);
    }

    private static void rounds(int count) throws Exception {
        long base = Long.getLong("chaos.seed", System.nanoTime() & 0xffff_ffffL);
        System.out.printf("[chaos] %d rounds, base seed %d (replay with -Dchaos.seed=%d)%n", count, base, base);
        List<String> failures = new ArrayList<>();
        List<String> reports = new ArrayList<>();
        for (int round = 1; round <= count; round++) {
            Round r = new Round(round, count, base + round - 1);
            r.run();
            reports.add(r.report());
            failures.addAll(r.failures);
        }
        System.out.println("[chaos] summary:");
        reports.forEach(line -> System.out.println("  " + line));
        if (!failures.isEmpty()) {
            throw new AssertionError("kill -9 mid-sale broke an invariant (base seed " + base + "):\n  "
                    + String.join("\n  ", failures));
        }
    }

    /** One attempt of one buyer; its answer, once it has a final one. */
    static final class Attempt {
        final String buyer;
        volatile int status; // 0 = no final answer yet
        volatile String orderId; // 201: the new order; 409 ALREADY_PURCHASED: the existing one
        volatile String code;

        Attempt(String buyer) {
            this.buyer = buyer;
        }

        boolean answered() {
            return status != 0;
        }
    }

    static final class Round {
        final int number;
        final int of;
        final long seed;
        final Random random;
        final int killAfter;
        final List<String> failures = new ArrayList<>();
        final Map<String, AtomicInteger> codes = new ConcurrentHashMap<>();
        final AtomicInteger answers = new AtomicInteger();
        final AtomicInteger created = new AtomicInteger();
        final AtomicBoolean killed = new AtomicBoolean();
        long saleId;
        long killAtMs;
        int createdAtKill;
        int inFlightAtKill;
        final AtomicInteger createdBeforeKill = new AtomicInteger();
        int unansweredAfterKill;
        int retryPasses;
        long settleMs;
        // results
        long ordersFound;
        long activeOrders;
        long available;
        long stranded;
        long orphanReservations;
        int lost;
        long oversold;
        long silentOrders;
        long phantom409;
        long toldPurchasedWithoutOrder;
        long unpublished;

        Round(int number, int of, long seed) {
            this.number = number;
            this.of = of;
            this.seed = seed;
            this.random = new Random(seed);
            this.killAfter = KILL_MIN_ANSWERS + random.nextInt(KILL_MAX_ANSWERS - KILL_MIN_ANSWERS + 1);
        }

        void run() throws Exception {
            String run = Long.toString(seed, 36) + "-" + number;
            saleId = createSale(run);
            List<Attempt> attempts = new ArrayList<>(BUYERS * ATTEMPTS);
            for (int b = 0; b < BUYERS; b++) {
                String buyer = "chaos-" + run + "-" + b;
                for (int a = 0; a < ATTEMPTS; a++) {
                    attempts.add(new Attempt(buyer));
                }
            }
            Collections.shuffle(attempts, random);
            System.out.printf("[chaos] round %d/%d: seed %d, sale %d, kill -9 after %d answers%n", number, of, seed,
                    saleId, killAfter);

            long began = System.nanoTime();
            drive(attempts, true, began);
            if (!killed.get()) {
                // the whole crowd was answered before the kill point: kill now (still a kill mid-lifecycle)
                kill(began);
            }
            unansweredAfterKill = (int) attempts.stream().filter(a -> !a.answered()).count();

            service.start(READY_TIMEOUT);
            List<Attempt> pending = attempts;
            for (retryPasses = 1; retryPasses <= RETRY_PASSES; retryPasses++) {
                pending = pending.stream().filter(a -> !a.answered()).toList();
                if (pending.isEmpty()) {
                    break;
                }
                if (retryPasses > 1) {
                    Thread.sleep(300);
                }
                drive(pending, false, began);
            }
            long unanswered = attempts.stream().filter(a -> !a.answered()).count();
            if (unanswered > 0) {
                failures.add(String.format("round %d: %d purchases still without a final answer after %d retry passes",
                        number, unanswered, RETRY_PASSES));
            }
            settle();
            verify(attempts);
            System.out.println("[chaos] " + report());
        }

        /** Sends the attempts CONCURRENCY at a time; in the first phase kills the service at the kill point. */
        void drive(List<Attempt> attempts, boolean killPhase, long began) throws Exception {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(2)).build();
            AtomicInteger next = new AtomicInteger();
            AtomicInteger inFlight = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(CONCURRENCY);
            try {
                List<Future<?>> workers = new ArrayList<>();
                for (int t = 0; t < CONCURRENCY; t++) {
                    workers.add(pool.submit(() -> {
                        while (true) {
                            if (killPhase && killed.get()) {
                                return null; // the rest stays unanswered; buyers retry after the restart
                            }
                            int i = next.getAndIncrement();
                            if (i >= attempts.size()) {
                                return null;
                            }
                            Attempt attempt = attempts.get(i);
                            inFlight.incrementAndGet();
                            boolean answered = send(client, attempt);
                            inFlight.decrementAndGet();
                            if (killPhase && answered && answers.incrementAndGet() == killAfter) {
                                inFlightAtKill = inFlight.get();
                                kill(began);
                            }
                        }
                    }));
                }
                for (Future<?> worker : workers) {
                    worker.get();
                }
            } finally {
                pool.shutdownNow();
            }
        }

        synchronized void kill(long began) throws InterruptedException {
            if (killed.getAndSet(true)) {
                return;
            }
            createdAtKill = created.get();
            service.killHard();
            killAtMs = (System.nanoTime() - began) / 1_000_000;
            System.out.printf("[chaos] round %d: SIGKILL at %d ms, after %d answers (%d x 201), %d requests in flight%n",
                    number, killAtMs, answers.get(), createdAtKill, inFlightAtKill);
        }

        /** One purchase; returns true when the service answered (any status). 503/429 are answers, not final. */
        boolean send(HttpClient client, Attempt attempt) {
            HttpRequest request = HttpRequest.newBuilder(service.uri("/api/sales/" + saleId + "/purchases"))
                    .timeout(Duration.ofSeconds(15)).header("Content-Type", "application/json")
                    .header("Authorization", Tokens.bearer(Tokens.buyer(attempt.buyer)))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build();
            HttpResponse<String> response;
            try {
                response = client.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                tally("no-answer");
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                tally("no-answer");
                return false;
            }
            int status = response.statusCode();
            String code = null;
            String orderId = null;
            try {
                JsonNode body = JSON.readTree(response.body());
                code = body.path("code").asText(null);
                orderId = body.path("orderId").asText(null);
            } catch (IOException e) {
                // not JSON: the status alone tells
            }
            tally(status + (code == null ? "" : " " + code));
            if (status == 503 || status == 429) {
                return true; // answered, but the buyer retries
            }
            attempt.code = code;
            attempt.orderId = orderId;
            attempt.status = status;
            if (status == 201) {
                created.incrementAndGet();
                if (!killed.get()) {
                    createdBeforeKill.incrementAndGet();
                }
            }
            return true;
        }

        void tally(String key) {
            codes.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        }

        /** Waits until the reconciler released every reservation whose order never became durable. */
        void settle() throws Exception {
            long began = System.nanoTime();
            long deadline = began + SETTLE_TIMEOUT.toNanos();
            while (true) {
                measure();
                boolean outboxDrained = unpublished == 0;
                if ((stranded == 0 && orphanReservations == 0 && outboxDrained) || System.nanoTime() > deadline) {
                    break;
                }
                Thread.sleep(250);
            }
            settleMs = (System.nanoTime() - began) / 1_000_000;
        }

        void measure() throws Exception {
            SaleKeys keys = new SaleKeys(saleId);
            Long stock = redis.getLong(keys.stock());
            available = stock == null ? Long.MIN_VALUE : stock;
            long reservations = redis.hlen(keys.reservations());
            activeOrders = count("SELECT COUNT(*) FROM orders WHERE sale_id = ? AND status IN ('PENDING_PAYMENT','PAID')",
                    saleId);
            long pendingOrders = count("SELECT COUNT(*) FROM orders WHERE sale_id = ? AND status = 'PENDING_PAYMENT'",
                    saleId);
            unpublished = count("SELECT COUNT(*) FROM outbox_events e JOIN orders o ON o.id = e.aggregate_id"
                    + " WHERE o.sale_id = ? AND e.status <> 'PUBLISHED'", saleId);
            stranded = stock == null ? STOCK : STOCK - available - activeOrders;
            orphanReservations = reservations - pendingOrders;
        }

        void verify(List<Attempt> attempts) throws Exception {
            measure();
            Map<Long, String[]> orders = new HashMap<>(); // id -> user, status
            // VOID rows are tombstones of fenced ids (a release claimed the id first), not orders
            try (Connection c = connect(); PreparedStatement s = c.prepareStatement(
                    "SELECT id, user_id, status FROM orders WHERE sale_id = ? AND status <> 'VOID'")) {
                s.setLong(1, saleId);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        orders.put(rs.getLong(1), new String[] { rs.getString(2), rs.getString(3) });
                    }
                }
            }
            fenced = count("SELECT COUNT(*) FROM orders WHERE sale_id = ? AND status = 'VOID'", saleId);
            Map<Long, Integer> createdEvents = new HashMap<>();
            try (Connection c = connect(); PreparedStatement s = c.prepareStatement(
                    "SELECT e.aggregate_id, COUNT(*) FROM outbox_events e JOIN orders o ON o.id = e.aggregate_id"
                            + " WHERE o.sale_id = ? AND e.event_type = ? GROUP BY e.aggregate_id")) {
                s.setLong(1, saleId);
                s.setString(2, CREATED);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        createdEvents.put(rs.getLong(1), rs.getInt(2));
                    }
                }
            }

            // nothing lost: every 201 has its order (of that buyer) and exactly one created event
            Set<Long> answeredOrders = new HashSet<>();
            Map<String, Long> createdPerBuyer = new HashMap<>();
            List<String> lostDetails = new ArrayList<>();
            for (Attempt a : attempts) {
                if (a.status == 201) {
                    Long id = a.orderId == null ? null : OrderIds.parse(a.orderId).orElse(null);
                    String[] row = id == null ? null : orders.get(id);
                    if (id != null) {
                        answeredOrders.add(id);
                        createdPerBuyer.merge(a.buyer, 1L, Long::sum);
                    }
                    if (row == null) {
                        lost++;
                        lostDetails.add(a.orderId + " of " + a.buyer + " (no order row)");
                    } else {
                        ordersFound++;
                        if (!row[0].equals(a.buyer)) {
                            lost++;
                            lostDetails.add(a.orderId + " answered to " + a.buyer + " belongs to " + row[0]);
                        }
                        int events = createdEvents.getOrDefault(id, 0);
                        if (events != 1) {
                            lost++;
                            lostDetails.add(a.orderId + " has " + events + " " + CREATED + " outbox rows");
                        }
                    }
                } else if (a.status == 409 && "ALREADY_PURCHASED".equals(a.code) && a.orderId != null
                        && !orders.containsKey(OrderIds.parse(a.orderId).orElse(-1L))) {
                    phantom409++;
                }
            }
            if (lost > 0) {
                failures.add(String.format("round %d: %d answered orders lost: %s", number, lost,
                        lostDetails.subList(0, Math.min(10, lostDetails.size()))));
            }
            createdPerBuyer.forEach((buyer, n) -> {
                if (n > 1) {
                    failures.add(String.format("round %d: buyer %s got %d x 201", number, buyer, n));
                }
            });
            // every order row, answered or not, has exactly one created event
            for (Long id : orders.keySet()) {
                int events = createdEvents.getOrDefault(id, 0);
                if (events != 1 && !answeredOrders.contains(id)) {
                    failures.add(String.format("round %d: order %s has %d %s outbox rows", number,
                            OrderIds.format(id), events, CREATED));
                }
            }
            // not an invariant of this test, reported: buyers whose final answer was 409 ALREADY_PURCHASED
            // although they hold no active order (the reservation their answer pointed at was never committed)
            Set<String> holders = new HashSet<>();
            orders.values().stream().filter(row -> isActive(row[1])).forEach(row -> holders.add(row[0]));
            toldPurchasedWithoutOrder = attempts.stream()
                    .filter(a -> a.status == 409 && "ALREADY_PURCHASED".equals(a.code) && !holders.contains(a.buyer))
                    .map(a -> a.buyer).distinct().count();
            if (phantom409 > 0) {
                System.out.printf("[chaos] round %d NOTE: %d answers 409 ALREADY_PURCHASED named an order that was"
                        + " never written; %d buyers hold no order although told they had bought%n", number,
                        phantom409, toldPurchasedWithoutOrder);
            }
            silentOrders = orders.entrySet().stream().filter(e -> isActive(e.getValue()[1]))
                    .filter(e -> !answeredOrders.contains(e.getKey())).count();

            // nothing oversold, nothing stranded
            oversold = Math.max(0, activeOrders - STOCK) + (available < 0 && available != Long.MIN_VALUE ? -available : 0);
            if (activeOrders > STOCK) {
                failures.add(String.format("round %d: oversold: %d active orders for a stock of %d", number,
                        activeOrders, STOCK));
            }
            if (available == Long.MIN_VALUE) {
                failures.add(String.format("round %d: Redis has no stock key for sale %d", number, saleId));
            } else if (available < 0) {
                failures.add(String.format("round %d: Redis available is negative: %d", number, available));
            } else if (available + activeOrders != STOCK) {
                failures.add(String.format("round %d: conservation broken after %d ms of settling: available %d +"
                        + " active orders %d != stock %d (stranded %d, orphan reservations %d)", number, settleMs,
                        available, activeOrders, STOCK, stranded, orphanReservations));
            }
            long duplicates = count("SELECT COUNT(*) FROM (SELECT user_id FROM orders WHERE sale_id = ?"
                    + " AND status IN ('PENDING_PAYMENT','PAID') GROUP BY user_id HAVING COUNT(*) > 1) d", saleId);
            if (duplicates > 0) {
                failures.add(String.format("round %d: %d buyers hold more than one active order", number, duplicates));
            }
            // no 5xx but 503, nothing else unexpected
            codes.forEach((key, n) -> {
                boolean expected = key.equals("no-answer") || key.startsWith("201") || key.startsWith("409 ")
                        || key.startsWith("503") || key.startsWith("429");
                if (!expected) {
                    failures.add(String.format("round %d: %d unexpected answers '%s'", number, n.get(), key));
                }
            });
        }

        static boolean isActive(String status) {
            return "PENDING_PAYMENT".equals(status) || "PAID".equals(status);
        }

        long fenced;

        String report() {
            return String.format("round %d/%d seed=%d kill=after %d answers/%d ms (%d x 201, %d in flight)"
                    + " | 201s=%d (before kill %d) ordersFound=%d active=%d available=%d"
                    + " | oversold=%d lost=%d stranded=%d | unanswered@kill=%d silentOrders=%d phantom409=%d"
                    + " toldPurchasedWithoutOrder=%d orphanReservations=%d fencedIds=%d unpublished=%d settle=%d ms codes=%s",
                    number, of, seed, killAfter, killAtMs, createdAtKill, inFlightAtKill, created.get(),
                    createdBeforeKill.get(), ordersFound, activeOrders, available, oversold, lost, stranded,
                    unansweredAfterKill, silentOrders, phantom409, toldPurchasedWithoutOrder, orphanReservations, fenced, unpublished, settleMs,
                    new TreeMap<>(codes));
        }
    }

    // ------------------------------------------------------------------------------------ stores

    static long createSale(String run) throws Exception {
        String body = """
                {"sku":"CHAOS-%s","title":"kill -9 mid-sale","priceCents":1999,"stock":%d,
                 "startsAt":"%s","endsAt":"%s"}""".formatted(run, STOCK, Instant.now().minusSeconds(5),
                Instant.now().plus(Duration.ofHours(1)));
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(service.uri("/api/sales"))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .header("Authorization", Tokens.bearer(Tokens.operator()))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IllegalStateException("creating the sale answered " + response.statusCode() + ": "
                    + response.body());
        }
        return JSON.readTree(response.body()).path("id").asLong();
    }

    /** Drops every table of flashsale_chaos (only that schema), so Flyway migrates it fresh. */
    static void resetDatabase() throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT DATABASE()")) {
                rs.next();
                if (!DATABASE.equals(rs.getString(1))) {
                    throw new IllegalStateException("connected to " + rs.getString(1) + ", not " + DATABASE);
                }
            }
            List<String[]> tables = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT table_name, table_type FROM information_schema.tables"
                    + " WHERE table_schema = '" + DATABASE + "'")) {
                while (rs.next()) {
                    tables.add(new String[] { rs.getString(1), rs.getString(2) });
                }
            }
            s.execute("SET FOREIGN_KEY_CHECKS = 0");
            for (String[] table : tables) {
                String kind = "VIEW".equals(table[1]) ? "VIEW" : "TABLE";
                s.execute("DROP " + kind + " IF EXISTS `" + DATABASE + "`.`" + table[0] + "`");
            }
            s.execute("SET FOREIGN_KEY_CHECKS = 1");
        }
    }

    static Connection connect() throws SQLException {
        return DriverManager.getConnection(JDBC_URL, DB_USER, DB_PASSWORD);
    }

    static void execute(String sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    static long count(String sql, Object... params) throws SQLException {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
