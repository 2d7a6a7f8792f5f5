package io.flashsale;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flashsale.support.Fixtures;
import io.flashsale.support.KafkaTopics;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Operators see DEAD outbox rows and re-queue them; the relay then delivers them. */
@QuarkusTest
class DeadEventsTests {

    @Inject
    Fixtures fixtures;

    @Test
    void deadEventIsListedRequeuedAndDelivered() {
        long saleId = fixtures.activeSale(2);
        String orderId = Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201).extract().path("orderId");
        long id = io.flashsale.common.OrderIds.parse(orderId).orElseThrow();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> fixtures.count(
                "SELECT COUNT(*) FROM outbox_events WHERE aggregate_id = ? AND status = 'PUBLISHED'", id) == 1);
        // a second event for this order that exhausted its attempts
        String eventId = UUID.randomUUID().toString();
        fixtures.execute("INSERT INTO outbox_events (event_id, aggregate_id, event_type, payload, status, attempts,"
                + " next_attempt_at, last_error, created_at) VALUES ('" + eventId + "', " + id
                + ", 'flashsale.order.payment-reminder', '{\"eventId\":\"" + eventId + "\",\"type\":"
                + "\"flashsale.order.payment-reminder\",\"orderId\":\"" + orderId + "\",\"saleId\":" + saleId
                + ",\"userId\":\"x\",\"occurredAt\":\"2026-01-01T00:00:00Z\"}', 'DEAD', 10, NOW(6),"
                + " 'TimeoutException: broker gone', NOW(6))");

        given().get("/api/ops/outbox/dead").then().statusCode(200)
                .body("eventId", hasItem(eventId));
        given().post("/api/ops/outbox/" + UUID.randomUUID() + "/requeue").then().statusCode(404)
                .body("code", equalTo("EVENT_NOT_FOUND"));
        given().post("/api/ops/outbox/" + eventId + "/requeue").then().statusCode(200).body("requeued", equalTo(1));

        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> fixtures.count(
                "SELECT COUNT(*) FROM outbox_events WHERE event_id = ? AND status = 'PUBLISHED'", eventId) == 1);
        assertEquals(1, KafkaTopics.readUntil(KafkaTopics.ORDER_EVENTS,
                r -> r.value() != null && r.value().contains(eventId), seen -> !seen.isEmpty(),
                Duration.ofSeconds(30)).size());
        given().get("/api/ops/outbox/dead").then().body("eventId.flatten()",
                org.hamcrest.Matchers.not(hasItem(eventId)));
    }
}
