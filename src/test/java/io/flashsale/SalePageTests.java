package io.flashsale;

import static io.restassured.RestAssured.given;
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

/** API.md "GET /api/sales/{saleId}": live figures from Redis, at most 1 s old, cacheable. */
@QuarkusTest
class SalePageTests {

    @Inject
    Fixtures fixtures;

    @Test
    void figuresFollowPurchasesPaymentsCancelsAndTheWaitlistWithinASecond() {
        long saleId = fixtures.activeSale(3);
        String paid = Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201).extract().path("orderId");
        String cancelled = Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201).extract().path("orderId");
        Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201);
        Waitlists.join(saleId, Fixtures.newBuyer()).then().statusCode(202);
        Waitlists.join(saleId, Fixtures.newBuyer()).then().statusCode(202);
        Orders.pay(paid, "pay-" + paid, 1999).then().statusCode(200);
        Awaitility.await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> page(saleId)
                .body("available", equalTo(0)).body("reserved", equalTo(2)).body("paid", equalTo(1))
                .body("waitlistLength", equalTo(2)).body("state", equalTo("SOLD_OUT")));
        Orders.cancel(cancelled).then().statusCode(200); // the unit goes to the first waiter
        Awaitility.await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> page(saleId)
                .body("available", equalTo(0)).body("reserved", equalTo(2)).body("paid", equalTo(1))
                .body("waitlistLength", equalTo(1)));
    }

    @Test
    void pageCarriesAnETagAndRevalidatesWith304() {
        long saleId = fixtures.activeSale(5);
        var first = given().get("/api/sales/" + saleId).then().statusCode(200)
                .header("Cache-Control", org.hamcrest.Matchers.containsString("max-age=1"))
                .extract().response();
        String etag = first.header("ETag");
        org.junit.jupiter.api.Assertions.assertNotNull(etag);
        given().header("If-None-Match", etag).get("/api/sales/" + saleId).then().statusCode(304)
                .header("ETag", etag);
        given().header("If-None-Match", "\"something-else\"").get("/api/sales/" + saleId).then().statusCode(200);
        // a purchase changes the figures: within a second the old tag no longer matches
        Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201);
        Awaitility.await().atMost(Duration.ofSeconds(3)).untilAsserted(() ->
                given().header("If-None-Match", etag).get("/api/sales/" + saleId).then().statusCode(200)
                        .body("available", equalTo(4)));
    }

    @Test
    void rebuildRestoresThePaidFigure() {
        long saleId = fixtures.activeSale(4);
        String order = Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201).extract().path("orderId");
        Orders.pay(order, "pay-" + order, 1999).then().statusCode(200);
        Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201);
        fixtures.loseRedisKeys(saleId);
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> page(saleId)
                .body("available", equalTo(2)).body("reserved", equalTo(1)).body("paid", equalTo(1)));
        assertEquals(2, fixtures.redisStock(saleId));
    }

    private static io.restassured.response.ValidatableResponse page(long saleId) {
        return given().get("/api/sales/" + saleId).then().statusCode(200);
    }
}
