package io.flashsale;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flashsale.support.Fixtures;
import io.flashsale.support.Orders;
import io.flashsale.support.Waitlists;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** API.md "Waitlist": joining, position, leaving, promotion on cancel. */
@QuarkusTest
class WaitlistApiTests {

    @Inject
    Fixtures fixtures;

    @Test
    void soldOutBuyersQueueFirstComeFirstServed() {
        long saleId = fixtures.activeSale(1);
        Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201);
        String first = Fixtures.newBuyer();
        String second = Fixtures.newBuyer();

        Waitlists.join(saleId, first).then().statusCode(202)
                .body("status", equalTo("WAITLISTED")).body("position", equalTo(1)).body("length", equalTo(1));
        Waitlists.join(saleId, second).then().statusCode(202)
                .body("position", equalTo(2)).body("length", equalTo(2));
        // joining twice keeps the first place
        Waitlists.join(saleId, first).then().statusCode(202).body("position", equalTo(1)).body("length", equalTo(2));

        Waitlists.status(saleId, second).then().statusCode(200)
                .body("status", equalTo("WAITING")).body("position", equalTo(2)).body("length", equalTo(2));
        given(saleId).body("waitlistLength", equalTo(2));
        assertEquals(0, fixtures.redisStock(saleId), "joining the waitlist reserves nothing");
    }

    private static io.restassured.response.ValidatableResponse given(long saleId) {
        return io.restassured.RestAssured.given().get("/api/sales/" + saleId).then().statusCode(200);
    }

    @Test
    void leavingMovesTheOthersUpAndIsIdempotent() {
        long saleId = fixtures.activeSale(1);
        Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201);
        String first = Fixtures.newBuyer();
        String second = Fixtures.newBuyer();
        Waitlists.join(saleId, first).then().statusCode(202);
        Waitlists.join(saleId, second).then().statusCode(202);

        Waitlists.leave(saleId, first).then().statusCode(204);
        Waitlists.leave(saleId, first).then().statusCode(204);
        Waitlists.status(saleId, first).then().statusCode(404)
                .contentType("application/problem+json").body("code", equalTo("NOT_IN_WAITLIST"));
        Waitlists.status(saleId, second).then().statusCode(200).body("position", equalTo(1)).body("length", equalTo(1));
    }

    @Test
    void cancelledUnitGoesToTheHeadOfTheWaitlist() {
        long saleId = fixtures.activeSale(1);
        String orderId = Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201)
                .extract().path("orderId");
        String head = Fixtures.newBuyer();
        String next = Fixtures.newBuyer();
        Waitlists.join(saleId, head).then().statusCode(202);
        Waitlists.join(saleId, next).then().statusCode(202);

        Orders.cancel(orderId).then().statusCode(200);

        String promotedOrder = Waitlists.status(saleId, head).then().statusCode(200)
                .body("status", equalTo("PROMOTED")).extract().path("orderId");
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                Orders.get(promotedOrder).then().statusCode(200)
                        .body("userId", equalTo(head)).body("status", equalTo("PENDING_PAYMENT")));
        Waitlists.status(saleId, next).then().body("position", equalTo(1));
        // the promoted buyer now holds the unit: asking again (past the local sold-out shortcut,
        // which a waitlist request skips) is a duplicate, and the stock stays 0
        Waitlists.join(saleId, head).then().statusCode(409).body("code", equalTo("ALREADY_PURCHASED"));
        assertEquals(0, fixtures.redisStock(saleId));
        fixtures.assertConservation(saleId, 1);
        assertEquals(1, fixtures.count("SELECT COUNT(*) FROM outbox_events WHERE aggregate_id = ?"
                + " AND event_type = 'flashsale.waitlist.promoted'",
                io.flashsale.common.OrderIds.parse(promotedOrder).orElseThrow()));
    }

    @Test
    void promotedBuyerWhoseOrderEndedAndWhoJoinsAgainIsWaitingNotPromoted() {
        long saleId = fixtures.activeSale(1);
        String holder = Fixtures.newBuyer();
        String held = Fixtures.purchase(saleId, holder).then().statusCode(201).extract().path("orderId");
        String waiter = Fixtures.newBuyer();
        String other = Fixtures.newBuyer();
        Waitlists.join(saleId, waiter).then().statusCode(202);
        Orders.cancel(held).then().statusCode(200); // the unit goes to the waiter
        String promotedOrder = Waitlists.status(saleId, waiter).then().statusCode(200)
                .body("status", equalTo("PROMOTED")).extract().path("orderId");
        Waitlists.join(saleId, other).then().statusCode(202);
        // the waiter's promoted order ends: the unit moves on to the next in line
        Orders.cancel(promotedOrder).then().statusCode(200);
        Waitlists.status(saleId, other).then().statusCode(200).body("status", equalTo("PROMOTED"));
        // the earlier promotion is history: no PROMOTED pointing at a cancelled order
        Waitlists.status(saleId, waiter).then().statusCode(404).body("code", equalTo("NOT_IN_WAITLIST"));
        Waitlists.join(saleId, waiter).then().statusCode(202).body("position", equalTo(1));
        Waitlists.status(saleId, waiter).then().statusCode(200)
                .body("status", equalTo("WAITING")).body("position", equalTo(1));
    }

    @Test
    void unknownSaleOrBuyer() {
        Waitlists.status(987654321L, "nobody").then().statusCode(404).body("code", equalTo("SALE_NOT_FOUND"));
        long saleId = fixtures.activeSale(1);
        Waitlists.status(saleId, "nobody").then().statusCode(404).body("code", equalTo("NOT_IN_WAITLIST"));
        Waitlists.status(saleId, "bad user").then().statusCode(400).body("code", equalTo("INVALID_REQUEST"));
    }

    @Test
    void endedSaleClosesAndEmptiesItsWaitlist() throws InterruptedException {
        java.time.Instant end = java.time.Instant.now().plusSeconds(2);
        long saleId = fixtures.createSale(Fixtures.saleJson(1, java.time.Instant.now().minusSeconds(5), end));
        Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201);
        String waiter = Fixtures.newBuyer();
        Waitlists.join(saleId, waiter).then().statusCode(202);
        Thread.sleep(Math.max(0, java.time.Duration.between(java.time.Instant.now(), end).toMillis()));
        Waitlists.join(saleId, Fixtures.newBuyer()).then().statusCode(410).body("code", equalTo("SALE_ENDED"));
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                Waitlists.status(saleId, waiter).then().statusCode(404).body("code", equalTo("NOT_IN_WAITLIST")));
    }
}
