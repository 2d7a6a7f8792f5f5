package io.flashsale;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.flashsale.support.Fixtures;
import io.flashsale.support.KafkaTopics;
import io.flashsale.support.LocalKafka;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Invariant 4 under a broker outage: buyers keep buying, and every event is delivered once Kafka is back. */
@QuarkusTest
class KafkaOutageTests {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    Fixtures fixtures;

    @Test
    void purchasesSurviveAnOutageAndEveryEventIsDeliveredAfterwards() throws Exception {
        long saleId = fixtures.activeSale(30);
        List<String> orders = new ArrayList<>();
        LocalKafka.stop();
        try {
            long started = System.nanoTime();
            for (int i = 0; i < 15; i++) {
                orders.add(Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201)
                        .extract().path("orderId"));
            }
            // buyers must not wait for the broker: 15 purchases in well under one publish timeout each
            org.junit.jupiter.api.Assertions.assertTrue(Duration.ofNanos(System.nanoTime() - started)
                    .compareTo(Duration.ofSeconds(10)) < 0, "purchases were slowed down by the outage");
            Thread.sleep(3_000); // several relay rounds fail meanwhile
            // not ready without Kafka (API.md Operations); live all the same
            io.flashsale.support.Management.given().get("/q/health/ready").then().statusCode(503);
            io.flashsale.support.Management.given().get("/q/health/live").then().statusCode(200);
            assertEquals(15, fixtures.count("SELECT COUNT(*) FROM outbox_events e JOIN orders o"
                    + " ON o.id = e.aggregate_id WHERE o.sale_id = ? AND e.status = 'PENDING'", saleId),
                    "nothing can be published while the broker is down");
            org.junit.jupiter.api.Assertions.assertTrue(fixtures.count("SELECT COUNT(*) FROM outbox_events e"
                    + " JOIN orders o ON o.id = e.aggregate_id WHERE o.sale_id = ? AND e.attempts > 0"
                    + " AND e.last_error IS NOT NULL", saleId) > 0, "failed attempts are recorded for backoff");
        } finally {
            LocalKafka.start();
        }

        Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                io.flashsale.support.Management.given().get("/q/health/ready").then().statusCode(200));
        Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> fixtures.count(
                "SELECT COUNT(*) FROM outbox_events e JOIN orders o ON o.id = e.aggregate_id"
                        + " WHERE o.sale_id = ? AND e.status = 'PUBLISHED'", saleId) == 15);

        assertDeliveredOnce(orders);
        fixtures.assertConservation(saleId, 30);
    }

    /** The scenario at full length: Kafka down for 60 s in the middle of a sale (tagged long). */
    @Test
    @org.junit.jupiter.api.Tag("long")
    void sixtySecondOutageMidSaleDeliversEveryEventAfterwards() throws Exception {
        long saleId = fixtures.activeSale(100);
        List<String> orders = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            orders.add(Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201).extract().path("orderId"));
        }
        long stopped = System.nanoTime();
        LocalKafka.stop();
        try {
            for (int i = 0; i < 20; i++) {
                orders.add(Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201).extract().path("orderId"));
            }
            Thread.sleep(Math.max(0, Duration.ofSeconds(60).minusNanos(System.nanoTime() - stopped).toMillis()));
        } finally {
            LocalKafka.start();
        }
        Awaitility.await().atMost(Duration.ofSeconds(120)).until(() -> fixtures.count(
                "SELECT COUNT(*) FROM outbox_events e JOIN orders o ON o.id = e.aggregate_id"
                        + " WHERE o.sale_id = ? AND e.status = 'PUBLISHED'", saleId) == 30);
        assertDeliveredOnce(orders);
        fixtures.assertConservation(saleId, 100);
    }

    private static void assertDeliveredOnce(List<String> orders) throws Exception {
        List<ConsumerRecord<String, String>> delivered = KafkaTopics.readUntil(KafkaTopics.ORDER_EVENTS,
                r -> orders.contains(r.key()), seen -> seen.size() >= orders.size(), Duration.ofSeconds(60));
        Map<String, Long> perEventId = delivered.stream().collect(Collectors.groupingBy(
                r -> eventId(r), Collectors.counting()));
        assertEquals(orders.size(), perEventId.size(), "every event delivered");
        assertEquals(Map.of(), perEventId.entrySet().stream().filter(e -> e.getValue() > 1)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)), "no event delivered twice");
        assertEquals(orders.stream().sorted().toList(),
                delivered.stream().map(ConsumerRecord::key).sorted().toList());
    }

    private static String eventId(ConsumerRecord<String, String> record) {
        Function<String, String> read = value -> {
            try {
                return JSON.readTree(value).path("eventId").asText();
            } catch (Exception e) {
                return "unreadable";
            }
        };
        return read.apply(record.value());
    }
}
