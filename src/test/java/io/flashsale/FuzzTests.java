package io.flashsale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flashsale.support.Fixtures;
import io.flashsale.support.KafkaTopics;
import io.flashsale.support.TestRedis;
import io.flashsale.support.Tokens;
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
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * 10,000 generated hostile requests across every endpoint (seeded, so a failure replays with
 * -Dfuzz.seed=N): mutated JSON (wrong types, huge numbers, deep nesting, unicode, control
 * characters, duplicate and unknown keys), hostile tokens (expired, foreign signature, alg none,
 * wrong issuer, foreign roles, garbage), oversized bodies, bad ids and headers. Every request is
 * built to be refused; the assertions: no 5xx, every error is problem+json with a code of the
 * contract, and nothing changed (row counts, the Redis keyspace, the Kafka topic's end offsets).
 */
@QuarkusTest
class FuzzTests {

    private static final Logger LOG = Logger.getLogger(FuzzTests.class);
    private static final int REQUESTS = Integer.getInteger("fuzz.requests", 10_000);
    private static final Set<String> CODES = Set.of("INVALID_REQUEST", "UNAUTHENTICATED", "FORBIDDEN",
            "PAYLOAD_TOO_LARGE", "RATE_LIMITED", "SALE_NOT_FOUND", "ORDER_NOT_FOUND", "NOT_FOUND", "METHOD_NOT_ALLOWED",
            "UNSUPPORTED_MEDIA_TYPE", "NOT_IN_WAITLIST", "SALE_ENDED", "SALE_NOT_STARTED", "SOLD_OUT", "ALREADY_PURCHASED",
            "AMOUNT_MISMATCH", "ORDER_NOT_PAYABLE", "ORDER_NOT_CANCELLABLE", "ALREADY_PAID", "PAYMENT_ID_IN_USE",
            "WAITLIST_FULL", "NOT_ACCEPTABLE", "EVENT_NOT_FOUND");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    Fixtures fixtures;

    @Inject
    TestRedis redis;

    @TestHTTPResource("/")
    URL base;

    private record Call(String category, String method, String path, String body, Map<String, String> headers) {
    }

    @Test
    void tenThousandHostileRequestsChangeNothingAndNeverAnswer5xx() throws Exception {
        long saleId = fixtures.activeSale(5);
        String owner = Fixtures.newBuyer();
        String orderId = Fixtures.purchase(saleId, owner).then().statusCode(201).extract().path("orderId");
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
                fixtures.count("SELECT COUNT(*) FROM outbox_events WHERE status <> 'PUBLISHED'") == 0);
        Map<String, Long> before = snapshot();

        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        Random random = new Random(seed);
        List<Call> calls = new ArrayList<>(REQUESTS);
        for (int i = 0; i < REQUESTS; i++) {
            calls.add(generate(random, saleId, orderId, owner));
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        Map<String, AtomicLong> byStatus = new ConcurrentHashMap<>();
        Map<String, AtomicLong> byCategory = new ConcurrentHashMap<>();
        List<String> violations = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
        List<Future<?>> running = new ArrayList<>();
        for (Call call : calls) {
            running.add(pool.submit(() -> {
                HttpResponse<String> response = send(http, call);
                byStatus.computeIfAbsent(Integer.toString(response.statusCode()), k -> new AtomicLong()).incrementAndGet();
                byCategory.computeIfAbsent(call.category(), k -> new AtomicLong()).incrementAndGet();
                String problem = check(response);
                if (problem != null && violations.size() < 20) {
                    violations.add(problem + " <- " + call.category() + " " + call.method() + " " + call.path()
                            + " body=" + abbreviate(call.body()) + " headers=" + call.headers().keySet());
                }
                return null;
            }));
        }
        for (Future<?> f : running) {
            f.get();
        }
        } finally {
            pool.shutdownNow();
        }
        LOG.infof("[fuzz] seed %d: %d requests, by status %s, by category %s", seed, calls.size(), new TreeMap<>(byStatus),
                new TreeMap<>(byCategory));
        assertEquals(List.of(), violations, "seed " + seed);
        Thread.sleep(1_500); // anything a request had set in motion would have reached the stores
        assertEquals(before, snapshot(), "seed " + seed + ": state changed");
    }

    private Map<String, Long> snapshot() throws Exception {
        Map<String, Long> state = new TreeMap<>();
        for (String table : List.of("sales", "orders", "outbox_events", "refund_requests")) {
            state.put(table, fixtures.count("SELECT COUNT(*) FROM " + table));
        }
        state.put("orders.paid", fixtures.count("SELECT COUNT(*) FROM orders WHERE status = 'PAID'"));
        state.put("orders.cancelled", fixtures.count("SELECT COUNT(*) FROM orders WHERE status = 'CANCELLED'"));
        state.put("redis.keys", redis.keyCount());
        state.put("kafka.end-offsets", KafkaTopics.endOffsetSum(KafkaTopics.ORDER_EVENTS));
        return state;
    }

    /** Null when the answer keeps the contract, else what is wrong with it. */
    private static String check(HttpResponse<String> response) {
        int status = response.statusCode();
        if (status >= 500) {
            return "answered " + status + " " + abbreviate(response.body());
        }
        if (status < 400) {
            return null;
        }
        String type = response.headers().firstValue("Content-Type").orElse("");
        if (!type.startsWith("application/problem+json")) {
            return status + " without problem+json (" + type + ")";
        }
        try {
            JsonNode body = JSON.readTree(response.body());
            String code = body.path("code").asText();
            if (!CODES.contains(code)) {
                return status + " with unknown code '" + code + "'";
            }
        } catch (Exception e) {
            return status + " with an unreadable body";
        }
        return null;
    }

    private HttpResponse<String> send(HttpClient http, Call call) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/$", "") + call.path()))
                .timeout(Duration.ofSeconds(20));
        call.headers().forEach(request::header);
        HttpRequest.BodyPublisher body = call.body() == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(call.body());
        return http.send(request.method(call.method(), body).build(), HttpResponse.BodyHandlers.ofString());
    }

    // ------------------------------------------------------------------------------- generation

    private static Call generate(Random r, long saleId, String orderId, String owner) {
        return switch (r.nextInt(6)) {
            case 0 -> hostileToken(r, saleId, orderId, owner);
            case 1 -> wrongRole(r, saleId, orderId, owner);
            case 2 -> brokenPurchase(r, saleId, owner);
            case 3 -> brokenSale(r);
            case 4 -> brokenPayment(r, orderId);
            default -> badIds(r, owner);
        };
    }

    /** Any protected endpoint with a token that must not authenticate. */
    private static Call hostileToken(Random r, long saleId, String orderId, String owner) {
        String[] tokens = {Tokens.expired(owner), Tokens.wrongIssuer(owner), Tokens.unsigned(owner),
                Tokens.tampered(owner), "garbage", "", "a.b.c", "eyJhbGciOiJub25lIn0.e30.", "Bearer", "x".repeat(5000)};
        String token = pick(r, tokens);
        Map<String, String> headers = new java.util.HashMap<>(Map.of("Content-Type", "application/json"));
        headers.put("Authorization", r.nextBoolean() ? "Bearer " + token : pick(r, new String[] {"Basic YTpi", token, "bearer"}));
        String[] paths = {"POST /api/sales", "POST /api/sales/" + saleId + "/purchases", "GET /api/orders/" + orderId,
                "POST /api/orders/" + orderId + "/cancel", "POST /api/orders/" + orderId + "/payment", "GET /api/me/orders",
                "GET /api/sales/" + saleId + "/waitlist/" + owner, "DELETE /api/sales/" + saleId + "/waitlist/me",
                "GET /api/ops/outbox/dead", "POST /api/ops/outbox/dead/requeue", "GET /api/sales",
                "GET /api/ops/sales/" + saleId + "/live"};
        String[] target = pick(r, paths).split(" ");
        return new Call("hostile-token", target[0], target[1], validish(r, saleId), headers);
    }

    /** A valid token whose roles do not open the endpoint. */
    private static Call wrongRole(Random r, long saleId, String orderId, String owner) {
        Map<String, String> headers = new java.util.HashMap<>(Map.of("Content-Type", "application/json"));
        int which = r.nextInt(5);
        String path;
        String method = "POST";
        String body = "{}";
        switch (which) {
            case 0 -> {
                path = "/api/sales";
                headers.put("Authorization", Tokens.bearer(Tokens.token(owner, pick(r, new String[] {"buyer", "payments", "auditor"}))));
                body = Fixtures.saleJson(5, java.time.Instant.now(), java.time.Instant.now().plusSeconds(60));
            }
            case 1 -> {
                path = "/api/orders/" + orderId + "/payment";
                headers.put("Authorization", Tokens.bearer(Tokens.token(owner, pick(r, new String[] {"buyer", "operator", "auditor"}))));
                body = "{\"paymentId\":\"fz-" + r.nextInt(1000) + "\",\"amountCents\":1999}";
            }
            case 2 -> {
                path = "/api/orders/" + orderId + "/cancel";
                headers.put("Authorization", Tokens.bearer(Tokens.token("stranger-" + r.nextInt(50), pick(r, new String[] {"buyer", "payments"}))));
            }
            case 3 -> {
                path = "/api/sales/" + saleId + "/purchases";
                headers.put("Authorization", Tokens.bearer(Tokens.token("fz-" + r.nextInt(50), pick(r, new String[] {"operator", "payments", "auditor"}))));
            }
            default -> {
                method = "DELETE";
                path = "/api/sales/" + saleId + "/waitlist/" + owner;
                headers.put("Authorization", Tokens.bearer(Tokens.buyer("stranger-" + r.nextInt(50))));
                body = null;
            }
        }
        return new Call("wrong-role", method, path, body, headers);
    }

    /** The right buyer, a body that is never a valid purchase. */
    private static Call brokenPurchase(Random r, long saleId, String owner) {
        String buyer = "fz-buyer-" + r.nextInt(200);
        String body = switch (r.nextInt(9)) {
            case 0 -> "{\"waitlist\":" + pick(r, new String[] {"\"yes\"", "1", "[]", "{}", "1e999", "-0.5"}) + "}";
            case 1 -> "{\"waitlist\":false," + json(r, "\"" + unicode(r) + "\"") + ":" + value(r) + "}";
            case 2 -> "{\"userId\":\"" + pick(r, new String[] {owner, "other", "", "a b", "\\u0000"}) + "\"}";
            case 3 -> "{\"waitlist\":true,\"waitlist\":false}";
            case 4 -> nested(r, 50 + r.nextInt(2000));
            case 5 -> truncate(r, "{\"waitlist\":false}");
            case 6 -> "{\"waitlist\":false,\"pad\":\"" + "x".repeat(4100 + r.nextInt(3000)) + "\"}";
            case 7 -> pick(r, new String[] {"[]", "null", "\"\"", "42", "true", "{", "}", "{\"waitlist\":fals}"});
            // never null: a null userId means "the caller", which would be a valid purchase
            default -> "{\"userId\":" + pick(r, new String[] {"1", "-1", "1e309", "[]", "{}", "true", "\"s\"",
                    "\"" + unicode(r) + "\""}) + "}";
        };
        Map<String, String> headers = new java.util.HashMap<>(Map.of("Content-Type", "application/json",
                "Authorization", Tokens.bearer(Tokens.buyer(buyer))));
        if (r.nextInt(4) == 0) {
            headers.put("Idempotency-Key", r.nextBoolean() ? "k".repeat(129 + r.nextInt(500)) : pick(r, new String[] {"%00", "a b",
                    "../..", "' OR 1=1 --"}));
        }
        // the sale: active, but every body above is refused before a unit is touched
        return new Call("broken-purchase", "POST", "/api/sales/" + saleId + "/purchases", body, headers);
    }

    /** An operator, a body that is never a valid sale (at least one field broken, plus noise). */
    private static Call brokenSale(Random r) {
        Map<String, Object> sale = new java.util.LinkedHashMap<>();
        sale.put("sku", "\"FZ\"");
        sale.put("title", "\"Fuzz\"");
        sale.put("priceCents", "100");
        sale.put("stock", "5");
        sale.put("startsAt", "\"2026-01-01T00:00:00Z\"");
        sale.put("endsAt", "\"2999-01-01T00:00:00Z\"");
        // at least one field gets a value that is wrong for that field, whatever else happens
        String field = pick(r, sale.keySet().toArray(String[]::new));
        String[] broken = switch (field) {
            case "sku", "title" -> new String[] {"null", "\"\"", "\"   \"", "\"" + "x".repeat(300) + "\"", "[1]", "{\"a\":1}",
                    "true", "42", "\"a\\u0001b\""};
            case "priceCents", "stock" -> new String[] {"null", "-1", "1e308", "99999999999999999999999", "\"5\"", "1.5",
                    "[]", "true", "0".equals(field) ? "-5" : "-2"};
            default -> new String[] {"null", "\"9999-12-31T00:00:00Z\"", "\"0000-01-01T00:00:00Z\"", "\"1999-12-31T23:59:59Z\"",
                    "\"yesterday\"", "17", "\"2026-13-45T99:00:00Z\"", "[]"};
        };
        sale.put(field, pick(r, broken));
        if (r.nextBoolean()) {
            sale.put(unicode(r), value(r));
        }
        StringBuilder body = new StringBuilder("{");
        sale.forEach((k, v) -> body.append(body.length() > 1 ? "," : "").append(json(r, "\"" + k + "\"")).append(':').append(v));
        body.append('}');
        Map<String, String> headers = Map.of("Content-Type", pick(r, new String[] {"application/json", "application/json",
                "text/plain", "application/xml"}), "Authorization", Tokens.bearer(Tokens.operator()));
        return new Call("broken-sale", "POST", "/api/sales", body.toString(), headers);
    }

    /** The payment provider, a body that is never a valid payment of the order. */
    private static Call brokenPayment(Random r, String orderId) {
        String body = switch (r.nextInt(6)) {
            case 0 -> "{\"paymentId\":\"fz\",\"amountCents\":" + pick(r, new String[] {"-1", "\"1999\"", "1.5", "1e30", "null"}) + "}";
            case 1 -> "{\"paymentId\":" + pick(r, new String[] {"null", "\"\"", "\"" + "p".repeat(101) + "\"", "7", "\"\\u0007\""})
                    + ",\"amountCents\":1999}";
            case 2 -> "{\"paymentId\":\"fz-" + r.nextInt(1000) + "\",\"amountCents\":" + (1 + r.nextInt(1998)) + "}"; // wrong amount
            case 3 -> nested(r, 10 + r.nextInt(500));
            case 4 -> "{\"paymentId\":\"fz\",\"amountCents\":1999,\"extra\":" + value(r) + "}";
            default -> truncate(r, "{\"paymentId\":\"fz\",\"amountCents\":1999}");
        };
        return new Call("broken-payment", "POST", "/api/orders/" + orderId + "/payment", body,
                Map.of("Content-Type", "application/json", "Authorization", Tokens.bearer(Tokens.payments())));
    }

    /** Ids that name nothing, or are not ids at all, on every path that takes one. */
    private static Call badIds(Random r, String owner) {
        String id = pick(r, new String[] {"abc", "-1", "0", "99999999999999999999999", "1.5", "%00", "..%2F..", "%F0%9F%92%A5",
                "1%20OR%201=1", "0ZZZZZZZZZZZZ", "I", "x".repeat(200)});
        String[] targets = {"GET /api/sales/" + id, "POST /api/sales/" + id + "/purchases", "GET /api/orders/" + id,
                "POST /api/orders/" + id + "/cancel", "POST /api/orders/" + id + "/payment",
                "GET /api/sales/" + id + "/waitlist/me", "GET /api/me/orders?saleId=" + id + "&limit=" + id,
                "POST /api/ops/outbox/" + id + "/requeue", "GET /api/ops/sales/" + id + "/live",
                "GET /api/sales?limit=" + id};
        String[] target = pick(r, targets).split(" ");
        String token = target[1].contains("/payment") ? Tokens.payments()
                : target[1].contains("/ops/") || target[1].startsWith("/api/sales?") ? Tokens.operator()
                : Tokens.buyer("fz-ids-" + r.nextInt(20));
        String body = target[1].contains("/payment") ? "{\"paymentId\":\"fz\",\"amountCents\":1999}" : "{}";
        return new Call("bad-ids", target[0], target[1], target[0].equals("GET") ? null : body,
                Map.of("Content-Type", "application/json", "Authorization", Tokens.bearer(token)));
    }

    // ------------------------------------------------------------------------------- helpers

    private static String validish(Random r, long saleId) {
        return pick(r, new String[] {"{}", "{\"waitlist\":true}", "{\"paymentId\":\"fz\",\"amountCents\":1999}",
                Fixtures.saleJson(3, java.time.Instant.now(), java.time.Instant.now().plusSeconds(60))});
    }

    private static String value(Random r) {
        return pick(r, new String[] {"1", "-1", "1e309", "123456789012345678901234567890", "\"s\"", "null", "true", "[]", "{}",
                "\"" + unicode(r) + "\"", "\"\\ud800\""});
    }

    private static String unicode(Random r) {
        return pick(r, new String[] {"ünï", "名前", "💥", "\\u0000", "\\u001f", "\\u202e", "a\\nb", "k"});
    }

    private static String json(Random r, String key) {
        return key;
    }

    private static String nested(Random r, int depth) {
        return "{\"waitlist\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
    }

    private static String truncate(Random r, String body) {
        return body.substring(0, 1 + r.nextInt(body.length() - 1));
    }

    private static String abbreviate(String text) {
        return text == null ? "null" : text.length() > 120 ? text.substring(0, 120) + "..." : text;
    }

    @SafeVarargs
    private static <T> T pick(Random r, T... options) {
        return options[r.nextInt(options.length)];
    }
}
