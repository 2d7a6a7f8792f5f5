package io.flashsale.startup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flashsale.chaos.ServiceProcess;
import io.flashsale.common.OrderIds;
import io.flashsale.support.Tokens;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The api role against the packaged jar (plain JUnit, run by failsafe after {@code package}): it
 * never migrates, says so in its readiness while the schema is behind, becomes ready once a
 * worker migrated, starts no Kafka consumer, and a fresh api instance started against the
 * migrated schema becomes ready and sells a unit. No timing is asserted (start times are
 * measured by {@code bench/startup.sh}).
 */
class ApiRoleStartIT {

    static final String DATABASE = "flashsale_startup";
    static final String JDBC_URL = "jdbc:mariadb://127.0.0.1:3306/" + DATABASE;
    static final int REDIS_DB = 5;
    static final String TOPIC = "flashsale.startup-it-events";
    static final String API_GROUP = "flashsale-startup-it-api-stats";
    static final String WORKER_GROUP = "flashsale-startup-it-worker-stats";
    static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final List<ServiceProcess> started = new ArrayList<>();

    @AfterEach
    void stopAll() throws InterruptedException {
        for (ServiceProcess process : started) {
            process.stop();
        }
    }

    @Test
    void apiWaitsForTheWorkersMigrationThenSellsAndAFreshApiIsReadyAndSells() throws Exception {
        dropAllTables();
        flushRedis();

        // 1. an api instance on an empty schema: not ready, says why, creates nothing
        ServiceProcess api = process("api", "api");
        api.launch();
        JsonNode behind = awaitReadiness(api, body -> body.path("status").asText().equals("DOWN")
                && step(body, "schema").startsWith("failed:"));
        assertTrue(step(behind, "schema").contains("schema is at version 0, this build needs " + SchemaVersion.REQUIRED),
                "readiness names the version gap: " + behind);
        assertEquals(0, tableCount(), "the api role migrated the schema");

        // 2. a worker migrates it; the waiting api turns ready by itself (the failed step is retried per probe)
        ServiceProcess worker = process("worker", "worker");
        worker.start(READY_TIMEOUT);
        assertEquals(SchemaVersion.REQUIRED, appliedVersion());
        api.awaitReady(READY_TIMEOUT);
        long saleId = createSale(api, 5);
        assertSells(api, saleId, "early-buyer");

        // 3. the api started no consumer: its consumer group has no member, while the worker's has one
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (consumerGroupMembers(WORKER_GROUP) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(250);
        }
        assertEquals(1, consumerGroupMembers(WORKER_GROUP), "the worker's consumer never joined " + WORKER_GROUP);
        assertEquals(0, consumerGroupMembers(API_GROUP), "an api instance joined consumer group " + API_GROUP);

        // 4. a fresh api instance against the already migrated schema: ready, and it sells
        api.stop();
        ServiceProcess fresh = process("api-fresh", "api");
        fresh.start(READY_TIMEOUT);
        JsonNode ready = readinessBody(fresh);
        assertEquals("done", step(ready, "schema"), "readiness: " + ready);
        assertSells(fresh, saleId, "fresh-buyer");
        String log = Files.readString(fresh.log(), StandardCharsets.UTF_8);
        assertFalse(log.contains("org.flywaydb") || log.contains("[or.fl."), "the api role ran Flyway:\n" + log);
        assertEquals(2, count("SELECT COUNT(*) FROM orders WHERE sale_id = ? AND status = 'PENDING_PAYMENT'", saleId));
    }

    private ServiceProcess process(String name, String role) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("flashsale.role", role);
        props.put("quarkus.http.host", "127.0.0.1");
        props.put("quarkus.datasource.jdbc.url", JDBC_URL);
        props.put("quarkus.redis.hosts", "redis://127.0.0.1:6379/" + REDIS_DB);
        props.put("flashsale.sale.events-channel", "fs-startup-it:sale-events");
        props.put("flashsale.outbox.topic", TOPIC);
        props.put("mp.messaging.incoming.sale-stats.topic", TOPIC);
        props.put("mp.messaging.incoming.sale-stats.group.id",
                "api".equals(role) ? API_GROUP : WORKER_GROUP);
        props.put("mp.messaging.outgoing.sale-stats-dlq.topic", TOPIC + ".dlq");
        props.put("mp.jwt.verify.publickey.location", "src/test/resources/jwt/test-public.pem");
        ServiceProcess process = new ServiceProcess("flashsale-" + name, Path.of("target", "startup"), props);
        started.add(process);
        return process;
    }

    /** Polls readiness (not ready yet) until its JSON body satisfies the condition; fails when it turns ready first. */
    private static JsonNode awaitReadiness(ServiceProcess process, java.util.function.Predicate<JsonNode> condition)
            throws Exception {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            assertTrue(process.isAlive(), "the process exited; log tail:\n" + process.tail(60));
            HttpResponse<String> answer = process.readiness();
            if (answer != null) {
                last = answer.statusCode() + " " + answer.body();
                JsonNode body = JSON.readTree(answer.body());
                if (condition.test(body)) {
                    return body;
                }
                if (answer.statusCode() == 200) {
                    throw new AssertionError("ready, but it should not be: " + last);
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("readiness never matched; last answer: " + last + "\nlog tail:\n" + process.tail(60));
    }

    private static JsonNode readinessBody(ServiceProcess process) throws Exception {
        HttpResponse<String> answer = process.readiness();
        assertNotNull(answer, "readiness did not answer");
        return JSON.readTree(answer.body());
    }

    /** The state of one start-up step in a readiness body ("done", "running", "failed: ..."), or "". */
    private static String step(JsonNode readiness, String name) {
        for (JsonNode check : readiness.path("checks")) {
            if ("startup".equals(check.path("name").asText())) {
                return check.path("data").path(name).asText("");
            }
        }
        return "";
    }

    private long createSale(ServiceProcess api, int stock) throws Exception {
        String body = """
                {"sku":"STARTUP-IT","title":"api role start","priceCents":1500,"stock":%d,
                 "startsAt":"%s","endsAt":"%s"}""".formatted(stock, Instant.now().minusSeconds(5),
                Instant.now().plus(Duration.ofHours(1)));
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(api.uri("/api/sales"))
                .timeout(Duration.ofSeconds(15)).header("Content-Type", "application/json")
                .header("Authorization", Tokens.bearer(Tokens.operator()))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, answer.statusCode(), "creating the sale: " + answer.body());
        return JSON.readTree(answer.body()).path("id").asLong();
    }

    /** The first purchase of a buyer on this instance answers 201 and its order row exists. */
    private void assertSells(ServiceProcess api, long saleId, String buyer) throws Exception {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(api.uri("/api/sales/" + saleId + "/purchases"))
                .timeout(Duration.ofSeconds(15)).header("Content-Type", "application/json")
                .header("Authorization", Tokens.bearer(Tokens.buyer(buyer)))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, answer.statusCode(), "purchase of " + buyer + ": " + answer.body());
        long orderId = OrderIds.parse(JSON.readTree(answer.body()).path("orderId").asText()).orElseThrow();
        assertEquals(1, count("SELECT COUNT(*) FROM orders WHERE id = ? AND user_id = ?", orderId, buyer));
    }

    /** Members of a consumer group now; 0 when the group does not exist (nobody ever joined it). */
    private static long consumerGroupMembers(String group) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092"))) {
            ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all()
                    .get(10, TimeUnit.SECONDS).get(group);
            return description == null ? 0 : description.members().size();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.GroupIdNotFoundException) {
                return 0;
            }
            throw e;
        }
    }

    // ------------------------------------------------------------------------------ stores

    private static void dropAllTables() throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT table_name FROM information_schema.tables"
                    + " WHERE table_schema = '" + DATABASE + "'")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            s.execute("SET FOREIGN_KEY_CHECKS = 0");
            for (String table : tables) {
                s.execute("DROP TABLE IF EXISTS `" + DATABASE + "`.`" + table + "`");
            }
            s.execute("SET FOREIGN_KEY_CHECKS = 1");
        }
    }

    private static void flushRedis() throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", 6379)) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(("SELECT " + REDIS_DB + "\r\nFLUSHDB\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] reply = new byte[10];
            int read = 0;
            while (read < 10) { // "+OK\r\n+OK\r\n"
                int n = socket.getInputStream().read(reply, read, reply.length - read);
                if (n < 0) {
                    break;
                }
                read += n;
            }
            assertEquals("+OK\r\n+OK\r\n", new String(reply, 0, read, StandardCharsets.US_ASCII));
        }
    }

    private static long tableCount() throws SQLException {
        return count("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = ?", DATABASE);
    }

    private static int appliedVersion() throws SQLException {
        return (int) count("SELECT MAX(CAST(version AS UNSIGNED)) FROM flyway_schema_history WHERE success = 1");
    }

    private static Connection connect() throws SQLException {
        return DriverManager.getConnection(JDBC_URL, "flashsale", "flashsale");
    }

    private static long count(String sql, Object... params) throws SQLException {
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
