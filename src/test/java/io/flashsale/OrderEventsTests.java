package io.flashsale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flashsale.support.Fixtures;
import io.flashsale.support.KafkaTopics;
import io.flashsale.support.Orders;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** API.md "Events": what downstream consumers see on flashsale.order-events, and the consuming side. */
@QuarkusTest
class OrderEventsTests {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    Fixtures fixtures;

    static JsonNode json(ConsumerRecord<String, String> record) {
        try {
            return JSON.readTree(record.value());
        } catch (Exception e) {
            return JSON.createObjectNode();
        }
    }

    @Test
    void everyStateChangeReachesTheTopicOnceWithCloudEventsHeaders() {
        long saleId = fixtures.activeSale(20);
        List<String> orders = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            orders.add(Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201)
                    .extract().path("orderId"));
        }
        for (int i = 0; i < 10; i++) {
            Orders.pay(orders.get(i), "pay-" + UUID.randomUUID(), 1999).then().statusCode(200);
        }
        Orders.cancel(orders.get(10)).then().statusCode(200);
        Orders.cancel(orders.get(11)).then().statusCode(200);

        List<ConsumerRecord<String, String>> events = KafkaTopics.readUntil(KafkaTopics.ORDER_EVENTS,
                r -> orders.contains(r.key()), seen -> seen.size() >= 32, Duration.ofSeconds(60));

        Map<String, Long> byType = events.stream()
                .collect(Collectors.groupingBy(r -> json(r).path("type").asText(), Collectors.counting()));
        assertEquals(Map.of("flashsale.order.created", 20L, "flashsale.order.paid", 10L,
                "flashsale.order.cancelled", 2L), byType);
        Set<String> eventIds = new HashSet<>();
        for (ConsumerRecord<String, String> record : events) {
            JsonNode event = json(record);
            assertTrue(eventIds.add(event.path("eventId").asText()), "eventIds are unique");
            assertEquals(event.path("orderId").asText(), record.key(), "key = orderId");
            assertTrue(orders.contains(record.key()));
            assertTrue(event.hasNonNull("userId") && event.hasNonNull("occurredAt"));
            Map<String, String> headers = KafkaTopics.headers(record);
            assertEquals("1.0", headers.get("ce_specversion"));
            assertEquals(event.path("eventId").asText(), headers.get("ce_id"));
            assertEquals(event.path("type").asText(), headers.get("ce_type"));
            assertEquals("/flashsale", headers.get("ce_source"));
            assertTrue(headers.containsKey("ce_time"));
        }
        // each order's events arrive in order: created before paid/cancelled
        for (String orderId : orders.subList(0, 12)) {
            List<String> types = events.stream().filter(r -> r.key().equals(orderId))
                    .map(r -> json(r).path("type").asText()).toList();
            assertEquals("flashsale.order.created", types.get(0), "order " + orderId + ": " + types);
        }
        assertEquals(0, fixtures.count("SELECT COUNT(*) FROM outbox_events e JOIN orders o ON o.id = e.aggregate_id"
                + " WHERE o.sale_id = ? AND e.status <> 'PUBLISHED'", saleId));

        // the sale-statistics consumer applied each event once
        Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertEquals(8, fixtures.count("SELECT reserved FROM sale_stats WHERE sale_id = ?", saleId));
            assertEquals(10, fixtures.count("SELECT paid FROM sale_stats WHERE sale_id = ?", saleId));
            assertEquals(2, fixtures.count("SELECT cancelled FROM sale_stats WHERE sale_id = ?", saleId));
        });
    }

    @Test
    void redeliveredEventChangesStatisticsOnce() throws Exception {
        long saleId = fixtures.activeSale(5);
        Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201);
        ConsumerRecord<String, String> created = KafkaTopics.readUntil(KafkaTopics.ORDER_EVENTS,
                r -> json(r).path("saleId").asLong() == saleId, seen -> !seen.isEmpty(), Duration.ofSeconds(30)).get(0);
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() ->
                fixtures.count("SELECT COUNT(*) FROM sale_stats WHERE sale_id = ? AND reserved = 1", saleId) == 1);

        // at-least-once delivery: the very same event arrives again
        KafkaTopics.send(KafkaTopics.ORDER_EVENTS, created.key(), created.value());
        String marker = "pay-" + UUID.randomUUID();
        String second = Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201).extract().path("orderId");
        Orders.pay(second, marker, 1999).then().statusCode(200);
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() ->
                fixtures.count("SELECT paid FROM sale_stats WHERE sale_id = ?", saleId) == 1);
        assertEquals(1, fixtures.count("SELECT reserved FROM sale_stats WHERE sale_id = ?", saleId),
                "the duplicate created event was not counted twice");
    }

    @Test
    void poisonEventGoesToTheDeadLetterTopicWithoutBlockingLaterEvents() throws Exception {
        String poisonKey = "poison-" + UUID.randomUUID();
        KafkaTopics.send(KafkaTopics.ORDER_EVENTS, poisonKey, "{not json at all");
        long saleId = fixtures.activeSale(5);
        Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201);

        List<ConsumerRecord<String, String>> dead = KafkaTopics.readUntil(KafkaTopics.DEAD_LETTERS,
                r -> poisonKey.equals(r.key()), seen -> !seen.isEmpty(), Duration.ofSeconds(60));
        assertEquals(1, dead.size(), "the poison event is on the dead-letter topic");
        Map<String, String> headers = KafkaTopics.headers(dead.get(0));
        assertEquals(KafkaTopics.ORDER_EVENTS, headers.get("dlq-original-topic"));
        assertTrue(headers.get("dlq-reason").contains("not JSON"));

        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() ->
                fixtures.count("SELECT COUNT(*) FROM sale_stats WHERE sale_id = ? AND reserved = 1", saleId) == 1);
    }
}
