package io.flashsale;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flashsale.support.Fixtures;
import io.flashsale.support.Orders;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** API.md "Orders and payment": pay and cancel, with their outbox events. */
@QuarkusTest
class OrdersPaymentApiTests {

    @Inject
    Fixtures fixtures;

    private String buy(long saleId) {
        return Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201).extract().path("orderId");
    }

    private long events(String orderId, String type) {
        return fixtures.count("SELECT COUNT(*) FROM outbox_events WHERE aggregate_id = ? AND event_type = ?",
                io.flashsale.common.OrderIds.parse(orderId).orElseThrow(), type);
    }

    private static String paymentId() {
        return "pay-" + UUID.randomUUID();
    }

    @Test
    void payingMakesTheOrderPaidAndConfirmsTheUnit() {
        long saleId = fixtures.activeSale(3);
        String orderId = buy(saleId);
        String payment = paymentId();

        Orders.pay(orderId, payment, 1999)
                .then().statusCode(200)
                .body("orderId", equalTo(orderId))
                .body("status", equalTo("PAID"))
                .body("paidAt", notNullValue());
        Orders.get(orderId).then().body("status", equalTo("PAID")).body("paidAt", notNullValue());
        assertEquals(1, events(orderId, "flashsale.order.paid"));
        assertEquals(0, fixtures.redisReservations(saleId), "payment clears the reservation");
        given().get("/api/sales/" + saleId).then().body("paid", equalTo(1)).body("reserved", equalTo(0));
        fixtures.assertConservation(saleId, 3);
    }

    @Test
    void samePaymentIdIsIdempotent() {
        long saleId = fixtures.activeSale(3);
        String orderId = buy(saleId);
        String payment = paymentId();
        String first = Orders.pay(orderId, payment, 1999).then().statusCode(200).extract().asString();
        String again = Orders.pay(orderId, payment, 1999).then().statusCode(200).extract().asString();
        assertEquals(first, again);
        assertEquals(1, events(orderId, "flashsale.order.paid"), "a replay emits nothing");
    }

    @Test
    void secondPaymentOnPaidOrderIsRejected() {
        long saleId = fixtures.activeSale(3);
        String orderId = buy(saleId);
        Orders.pay(orderId, paymentId(), 1999).then().statusCode(200);
        Orders.pay(orderId, paymentId(), 1999)
                .then().statusCode(409)
                .contentType("application/problem+json")
                .body("code", equalTo("ALREADY_PAID"));
    }

    @Test
    void wrongAmountIsRejectedAndChangesNothing() {
        long saleId = fixtures.activeSale(3);
        String orderId = buy(saleId);
        Orders.pay(orderId, paymentId(), 1000)
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("code", equalTo("AMOUNT_MISMATCH"));
        Orders.get(orderId).then().body("status", equalTo("PENDING_PAYMENT"));
    }

    @Test
    void paymentIdCannotPayTwoOrders() {
        long saleId = fixtures.activeSale(3);
        String first = buy(saleId);
        String second = buy(saleId);
        String payment = paymentId();
        Orders.pay(first, payment, 1999).then().statusCode(200);
        Orders.pay(second, payment, 1999)
                .then().statusCode(409)
                .contentType("application/problem+json")
                .body("code", equalTo("PAYMENT_ID_IN_USE"));
        Orders.get(second).then().body("status", equalTo("PENDING_PAYMENT"));
        assertEquals(0, events(second, "flashsale.payment.refund-required"));
    }

    @Test
    void paymentIdThatPaidAnotherOrderNeverRefundsAnUnpayableOrder() {
        long saleId = fixtures.activeSale(3);
        String paid = buy(saleId);
        String cancelled = buy(saleId);
        Orders.cancel(cancelled).then().statusCode(200);
        String payment = paymentId();
        Orders.pay(paid, payment, 1999).then().statusCode(200);
        // before the fix this asked for a refund of a payment that rightly paid another order
        Orders.pay(cancelled, payment, 1999)
                .then().statusCode(409)
                .body("code", equalTo("PAYMENT_ID_IN_USE"));
        assertEquals(0, events(cancelled, "flashsale.payment.refund-required"));
        assertEquals(0, fixtures.count("SELECT COUNT(*) FROM refund_requests WHERE payment_id = ?", payment));
        Orders.get(paid).then().body("status", equalTo("PAID"));
    }

    @Test
    void concurrentPaymentsWithOnePaymentIdOnTwoOrdersLetExactlyOneWin() throws Exception {
        long saleId = fixtures.activeSale(40);
        var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 10; round++) {
                String a = buy(saleId);
                String b = buy(saleId);
                String payment = paymentId();
                var start = new java.util.concurrent.CountDownLatch(1);
                var first = pool.submit(() -> {
                    start.await();
                    return Orders.pay(a, payment, 1999).then().extract().response();
                });
                var second = pool.submit(() -> {
                    start.await();
                    return Orders.pay(b, payment, 1999).then().extract().response();
                });
                start.countDown();
                var answers = java.util.List.of(first.get(), second.get());
                long won = answers.stream().filter(r -> r.statusCode() == 200).count();
                long refused = answers.stream().filter(r -> r.statusCode() == 409
                        && "PAYMENT_ID_IN_USE".equals(r.jsonPath().getString("code"))).count();
                assertEquals(1, won, "round " + round + ": " + answers.stream().map(r -> r.asString()).toList());
                assertEquals(1, refused, "round " + round + ": " + answers.stream().map(r -> r.asString()).toList());
                assertEquals(1, fixtures.count("SELECT COUNT(*) FROM orders WHERE payment_id = ?", payment));
                assertEquals(0, events(a, "flashsale.payment.refund-required") + events(b, "flashsale.payment.refund-required"));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void orderPastItsPayByIsNotPayableEvenBeforeTheExpiryJobRan() {
        long saleId = fixtures.activeSale(10);
        for (int i = 0; i < 5; i++) {
            String orderId = buy(saleId);
            long id = io.flashsale.common.OrderIds.parse(orderId).orElseThrow();
            // the payment window closed a moment ago; the expiry job (every second) may not have run
            fixtures.execute("UPDATE orders SET pay_by = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND WHERE id = " + id);
            Orders.pay(orderId, paymentId(), 1999)
                    .then().statusCode(409)
                    .body("code", equalTo("ORDER_NOT_PAYABLE"))
                    .body("orderStatus", equalTo("EXPIRED"));
            Orders.get(orderId).then().body("status", equalTo("EXPIRED"));
            assertEquals(0, events(orderId, "flashsale.order.paid"));
            assertEquals(1, events(orderId, "flashsale.order.expired"), "expired exactly once");
            assertEquals(1, events(orderId, "flashsale.payment.refund-required"));
        }
        // every overdue unit went back on sale: nothing is stranded
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                .untilAsserted(() -> fixtures.assertConservation(saleId, 10));
    }

    @Test
    void cancelReleasesTheUnitForAnotherBuyer() {
        long saleId = fixtures.activeSale(1);
        String orderId = buy(saleId);
        Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(409).body("code", equalTo("SOLD_OUT"));

        Orders.cancel(orderId)
                .then().statusCode(200)
                .body("orderId", equalTo(orderId))
                .body("status", equalTo("CANCELLED"));
        assertEquals(1, events(orderId, "flashsale.order.cancelled"));
        assertEquals(1, fixtures.redisStock(saleId));
        fixtures.assertConservation(saleId, 1);

        // every instance learns the unit is back (pub/sub clears the sold-out flag): a new buyer gets it
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).untilAsserted(() ->
                Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201));
        fixtures.assertConservation(saleId, 1);
    }

    @Test
    void onlyPendingOrdersCanBeCancelled() {
        long saleId = fixtures.activeSale(3);
        String paid = buy(saleId);
        Orders.pay(paid, paymentId(), 1999).then().statusCode(200);
        Orders.cancel(paid)
                .then().statusCode(409)
                .contentType("application/problem+json")
                .body("code", equalTo("ORDER_NOT_CANCELLABLE"));

        String cancelled = buy(saleId);
        Orders.cancel(cancelled).then().statusCode(200);
        Orders.cancel(cancelled).then().statusCode(409).body("code", equalTo("ORDER_NOT_CANCELLABLE"));
        assertEquals(1, events(cancelled, "flashsale.order.cancelled"), "cancel emits one event");
        fixtures.assertConservation(saleId, 3);
    }

    @Test
    void payingACancelledOrderRequestsOneRefund() {
        long saleId = fixtures.activeSale(3);
        String orderId = buy(saleId);
        Orders.cancel(orderId).then().statusCode(200);
        String payment = paymentId();
        for (int i = 0; i < 2; i++) {
            Orders.pay(orderId, payment, 1999)
                    .then().statusCode(409)
                    .contentType("application/problem+json")
                    .body("code", equalTo("ORDER_NOT_PAYABLE"));
        }
        Orders.get(orderId).then().body("status", equalTo("CANCELLED"));
        assertEquals(1, events(orderId, "flashsale.payment.refund-required"), "one refund per payment id");
        assertEquals(0, events(orderId, "flashsale.order.paid"));
    }

    @Test
    void unknownOrderCannotBePaidOrCancelled() {
        Orders.pay("0ABCDEFGHJKMN", paymentId(), 1).then().statusCode(404).body("code", equalTo("ORDER_NOT_FOUND"));
        Orders.cancel("nope").then().statusCode(404).body("code", equalTo("ORDER_NOT_FOUND"));
    }

    static Stream<Arguments> malformedPayments() {
        return Stream.of(
                Arguments.of("not JSON", "{", "body"),
                Arguments.of("empty body", "", "body"),
                Arguments.of("missing paymentId", "{\"amountCents\":1999}", "paymentId"),
                Arguments.of("blank paymentId", "{\"paymentId\":\" \",\"amountCents\":1999}", "paymentId"),
                Arguments.of("missing amount", "{\"paymentId\":\"p\"}", "amountCents"),
                Arguments.of("negative amount", "{\"paymentId\":\"p\",\"amountCents\":-5}", "amountCents"),
                Arguments.of("amount as string", "{\"paymentId\":\"p\",\"amountCents\":\"1999\"}", "amountCents"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedPayments")
    void malformedPaymentIsRejectedAndChangesNothing(String label, String json, String field) {
        long saleId = fixtures.activeSale(2);
        String orderId = buy(saleId);
        given().contentType(ContentType.JSON).body(json)
                .when().post("/api/orders/" + orderId + "/payment")
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("code", equalTo("INVALID_REQUEST"))
                .body("field", equalTo(field));
        Orders.get(orderId).then().body("status", equalTo("PENDING_PAYMENT"));
    }
}
