package io.flashsale;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.flashsale.common.OrderIds;
import io.flashsale.support.Fixtures;
import io.flashsale.support.KafkaTopics;
import io.flashsale.support.Orders;
import io.flashsale.support.Waitlists;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The heart of the product: units held by buyers who do not pay flow back to the people still
 * waiting, fairly, and then back on open sale. Sales here use a 3-second payment window; the
 * reminder comes at the same fraction of it as remind-after is of expire-after (half).
 */
@QuarkusTest
class OrderLifecycleTests {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    Fixtures fixtures;

    private long saleWithPaymentWindow(int stock, int seconds) {
        return fixtures.createSale(Fixtures.saleJson(stock, Instant.now().minusSeconds(1), Instant.now().plusSeconds(3600))
                .replace("}", ",\"paymentTimeoutSeconds\":" + seconds + "}"));
    }

    private String buy(long saleId, String buyer) {
        return Fixtures.purchase(saleId, buyer).then().statusCode(201).extract().path("orderId");
    }

    @Test
    void unpaidUnitsGoToTheWaitlistInJoinOrderThenBackOnSale() {
        long saleId = saleWithPaymentWindow(3, 3);
        String payer = buy(saleId, Fixtures.newBuyer());
        String lateB = buy(saleId, Fixtures.newBuyer());
        String lateC = buy(saleId, Fixtures.newBuyer());
        String firstWaiter = Fixtures.newBuyer();
        String secondWaiter = Fixtures.newBuyer();
        Waitlists.join(saleId, firstWaiter).then().statusCode(202).body("position", equalTo(1));
        Waitlists.join(saleId, secondWaiter).then().statusCode(202).body("position", equalTo(2));
        Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(409).body("code", equalTo("SOLD_OUT"));
        Orders.pay(payer, "pay-" + payer, 1999).then().statusCode(200);

        // the two unpaid orders expire; both waiters are promoted, in join order
        Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            Orders.get(lateB).then().body("status", equalTo("EXPIRED"));
            Orders.get(lateC).then().body("status", equalTo("EXPIRED"));
            Waitlists.status(saleId, firstWaiter).then().body("status", equalTo("PROMOTED"));
            Waitlists.status(saleId, secondWaiter).then().body("status", equalTo("PROMOTED"));
        });
        String firstPromoted = Waitlists.status(saleId, firstWaiter).then().extract().path("orderId");
        String secondPromoted = Waitlists.status(saleId, secondWaiter).then().extract().path("orderId");
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Orders.get(firstPromoted).then().statusCode(200).body("userId", equalTo(firstWaiter));
            Orders.get(secondPromoted).then().statusCode(200).body("userId", equalTo(secondWaiter));
        });
        assertTrue(OrderIds.parse(firstPromoted).orElseThrow() < OrderIds.parse(secondPromoted).orElseThrow(),
                "the first to join is the first promoted");
        fixtures.assertConservation(saleId, 3);

        // paying an expired order is refused and asks for a refund
        Orders.pay(lateB, "late-" + lateB, 1999).then().statusCode(409).body("code", equalTo("ORDER_NOT_PAYABLE"));
        Orders.get(lateB).then().body("status", equalTo("EXPIRED"));

        // the promoted orders expire too, nobody waits: the units are back on open sale
        Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            Orders.get(firstPromoted).then().body("status", equalTo("EXPIRED"));
            Orders.get(secondPromoted).then().body("status", equalTo("EXPIRED"));
            assertEquals(2, fixtures.redisStock(saleId));
        });
        fixtures.assertConservation(saleId, 3);
        Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201));

        // reminder, expired, promoted and refund events are on the topic, once each
        Set<String> orders = Set.of(lateB, lateC, firstPromoted, secondPromoted);
        Map<String, Long> expected = Map.ofEntries(
                Map.entry(lateB + " flashsale.order.payment-reminder", 1L),
                Map.entry(lateC + " flashsale.order.payment-reminder", 1L),
                Map.entry(firstPromoted + " flashsale.order.payment-reminder", 1L),
                Map.entry(secondPromoted + " flashsale.order.payment-reminder", 1L),
                Map.entry(lateB + " flashsale.order.expired", 1L),
                Map.entry(lateC + " flashsale.order.expired", 1L),
                Map.entry(firstPromoted + " flashsale.order.expired", 1L),
                Map.entry(secondPromoted + " flashsale.order.expired", 1L),
                Map.entry(firstPromoted + " flashsale.waitlist.promoted", 1L),
                Map.entry(secondPromoted + " flashsale.waitlist.promoted", 1L),
                Map.entry(lateB + " flashsale.payment.refund-required", 1L));
        List<ConsumerRecord<String, String>> events = KafkaTopics.readUntil(KafkaTopics.ORDER_EVENTS,
                r -> orders.contains(r.key()) && !type(r).equals("flashsale.order.created"),
                seen -> seen.size() >= expected.size(), Duration.ofSeconds(60));
        Map<String, Long> seen = events.stream()
                .collect(Collectors.groupingBy(r -> r.key() + " " + type(r), Collectors.counting()));
        assertEquals(expected, seen);
        assertEquals(0, fixtures.count("SELECT COUNT(*) FROM outbox_events WHERE aggregate_id = ?"
                + " AND event_type = 'flashsale.order.payment-reminder'", OrderIds.parse(payer).orElseThrow()),
                "a paid order gets no reminder");
    }

    private static String type(ConsumerRecord<String, String> record) {
        try {
            return JSON.readTree(record.value()).path("type").asText();
        } catch (Exception e) {
            return "";
        }
    }
}
