package io.flashsale;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flashsale.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** API.md "Purchase" and GET /api/orders/{id}. */
@QuarkusTest
class PurchaseApiTests {

    @Inject
    Fixtures fixtures;

    @Test
    void winnerGetsDurablePendingOrder() {
        long saleId = fixtures.activeSale(5);
        String buyer = Fixtures.newBuyer();
        Instant before = Instant.now();

        var created = Fixtures.purchase(saleId, buyer)
                .then().statusCode(201)
                .contentType(ContentType.JSON)
                .body("orderId", matchesPattern("[0-9A-Z]{13}"))
                .body("saleId", equalTo((int) saleId))
                .body("userId", equalTo(buyer))
                .body("status", equalTo("PENDING_PAYMENT"))
                .body("amountCents", equalTo(1999))
                .body("payBy", notNullValue())
                .extract().jsonPath();

        // payBy = creation + default expire-after (60 minutes)
        Instant payBy = Instant.parse(created.getString("payBy"));
        assertEquals(Duration.ofMinutes(60).toSeconds(), Duration.between(before, payBy).toSeconds(), 5);

        // durable: the row is in the database the moment the 201 is seen, with its outbox event
        String orderId = created.getString("orderId");
        given().when().get("/api/orders/" + orderId)
                .then().statusCode(200)
                .body("orderId", equalTo(orderId))
                .body("status", equalTo("PENDING_PAYMENT"))
                .body("userId", equalTo(buyer))
                .body("amountCents", equalTo(1999))
                .body("createdAt", notNullValue())
                .body("payBy", equalTo(created.getString("payBy")));
        assertEquals(1, fixtures.count("SELECT COUNT(*) FROM outbox_events e JOIN orders o ON o.id = e.aggregate_id"
                + " WHERE o.sale_id = ? AND e.event_type = 'flashsale.order.created'", saleId));
        assertEquals(4, fixtures.redisStock(saleId));
        fixtures.assertConservation(saleId, 5);
    }

    @Test
    void salePaymentTimeoutOverridesTheDefault() {
        long saleId = fixtures.createSale(Fixtures.saleJson(2, Instant.now().minusSeconds(1),
                Instant.now().plusSeconds(3600)).replace("}", ",\"paymentTimeoutSeconds\":120}"));
        var order = Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201).extract().jsonPath();
        Duration window = Duration.between(Instant.now(), Instant.parse(order.getString("payBy")));
        assertEquals(120, window.toSeconds(), 5);
    }

    @Test
    void secondPurchaseBySameBuyerIsRejected() {
        long saleId = fixtures.activeSale(5);
        String buyer = Fixtures.newBuyer();
        String orderId = Fixtures.purchase(saleId, buyer).then().statusCode(201).extract().path("orderId");

        Fixtures.purchase(saleId, buyer)
                .then().statusCode(409)
                .contentType("application/problem+json")
                .body("code", equalTo("ALREADY_PURCHASED"))
                .body("orderId", equalTo(orderId));
        assertEquals(4, fixtures.redisStock(saleId), "a duplicate must not consume a unit");
        assertEquals(1, fixtures.activeOrders(saleId));
    }

    @Test
    void soldOutWhenNothingIsLeft() {
        long saleId = fixtures.activeSale(1);
        Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201);
        for (int i = 0; i < 3; i++) {
            Fixtures.purchase(saleId, Fixtures.newBuyer())
                    .then().statusCode(409)
                    .contentType("application/problem+json")
                    .body("code", equalTo("SOLD_OUT"));
        }
        assertEquals(0, fixtures.redisStock(saleId));
        fixtures.assertConservation(saleId, 1);
    }

    @Test
    void notStartedSaleRefusesBuyers() {
        long saleId = fixtures.createSale(Fixtures.saleJson(5, Instant.now().plusSeconds(600),
                Instant.now().plusSeconds(1200)));
        Fixtures.purchase(saleId, Fixtures.newBuyer())
                .then().statusCode(403)
                .contentType("application/problem+json")
                .body("code", equalTo("SALE_NOT_STARTED"));
        assertEquals(5, fixtures.redisStock(saleId));
    }

    @Test
    void endedSaleRefusesBuyers() throws InterruptedException {
        // far enough ahead that a slow (loaded) machine still creates the sale before it ends
        Instant end = Instant.now().plusMillis(4000);
        long saleId = fixtures.createSale(Fixtures.saleJson(5, Instant.now().minusSeconds(60), end));
        Thread.sleep(Math.max(0, Duration.between(Instant.now(), end).toMillis() + 100));
        Fixtures.purchase(saleId, Fixtures.newBuyer())
                .then().statusCode(410)
                .contentType("application/problem+json")
                .body("code", equalTo("SALE_ENDED"));
        assertEquals(5, fixtures.redisStock(saleId));
    }

    @Test
    void unknownSaleIsNotFound() {
        Fixtures.purchase(987654321L, Fixtures.newBuyer())
                .then().statusCode(404)
                .contentType("application/problem+json")
                .body("code", equalTo("SALE_NOT_FOUND"));
    }

    @Test
    void sameIdempotencyKeyReplaysTheFirstAnswer() {
        long saleId = fixtures.activeSale(5);
        String buyer = Fixtures.newBuyer();
        String body = "{\"userId\":\"" + buyer + "\"}";
        String first = given().contentType(ContentType.JSON).header("Idempotency-Key", "k-1").body(body)
                .when().post("/api/sales/" + saleId + "/purchases")
                .then().statusCode(201).extract().asString();

        String replay = given().contentType(ContentType.JSON).header("Idempotency-Key", "k-1").body(body)
                .when().post("/api/sales/" + saleId + "/purchases")
                .then().statusCode(201).extract().asString();
        assertEquals(first, replay);
        assertEquals(4, fixtures.redisStock(saleId), "a replay must not reserve again");

        // a new key is a new attempt: the one-per-buyer rule answers it
        given().contentType(ContentType.JSON).header("Idempotency-Key", "k-2").body(body)
                .when().post("/api/sales/" + saleId + "/purchases")
                .then().statusCode(409).body("code", equalTo("ALREADY_PURCHASED"));
    }

    @Test
    void unknownOrderIsNotFound() {
        for (String id : new String[] {"0AAAAAAAAAAAA", "nope", "123"}) {
            given().when().get("/api/orders/" + id)
                    .then().statusCode(404)
                    .contentType("application/problem+json")
                    .body("code", equalTo("ORDER_NOT_FOUND"));
        }
    }

    static Stream<Arguments> malformedPurchases() {
        return Stream.of(
                Arguments.of("not JSON", "{userId:", "body"),
                Arguments.of("empty body", "", "body"),
                Arguments.of("userId as number", "{\"userId\":12345}", "userId"),
                Arguments.of("waitlist as string", "{\"userId\":\"ok\",\"waitlist\":\"yes\"}", "waitlist"),
                Arguments.of("waitlist as number", "{\"userId\":\"ok\",\"waitlist\":1}", "waitlist"),
                Arguments.of("trailing garbage", "{\"userId\":\"ok\"} x", "body"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedPurchases")
    void malformedPurchaseIsRejectedAndChangesNothing(String label, String json, String field) {
        long saleId = fixtures.activeSale(3);
        given().contentType(ContentType.JSON).body(json)
                .when().post("/api/sales/" + saleId + "/purchases")
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("code", equalTo("INVALID_REQUEST"))
                .body("field", equalTo(field));
        assertEquals(3, fixtures.redisStock(saleId));
        assertEquals(0, fixtures.redisBuyers(saleId));
        assertEquals(0, fixtures.activeOrders(saleId));
    }

    /** API.md: the buyer is the token; a userId in the body, if sent, must be the caller. */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"someone-else", "", "a b"})
    void userIdOtherThanTheCallerIsForbiddenAndChangesNothing(String claimed) {
        long saleId = fixtures.activeSale(3);
        given().contentType(ContentType.JSON)
                .header("Authorization", io.flashsale.support.Tokens.bearer(io.flashsale.support.Tokens.buyer("the-caller")))
                .body("{\"userId\":\"" + claimed + "\"}")
                .when().post("/api/sales/" + saleId + "/purchases")
                .then().statusCode(403)
                .contentType("application/problem+json")
                .body("code", equalTo("FORBIDDEN"));
        assertEquals(3, fixtures.redisStock(saleId));
        assertEquals(0, fixtures.redisBuyers(saleId));
    }

    @Test
    void bodyWithoutUserIdBuysForTheTokensSubject() {
        long saleId = fixtures.activeSale(3);
        String buyer = Fixtures.newBuyer();
        for (String body : new String[] {"{}", "{\"userId\":null}"}) {
            long sale = body.equals("{}") ? saleId : fixtures.activeSale(3);
            given().contentType(ContentType.JSON)
                    .header("Authorization", io.flashsale.support.Tokens.bearer(io.flashsale.support.Tokens.buyer(buyer)))
                    .body(body)
                    .when().post("/api/sales/" + sale + "/purchases")
                    .then().statusCode(201)
                    .body("userId", equalTo(buyer));
        }
    }

    @Test
    void oversizedIdempotencyKeyIsRejected() {
        long saleId = fixtures.activeSale(3);
        given().contentType(ContentType.JSON).header("Idempotency-Key", "k".repeat(129))
                .body("{\"userId\":\"" + Fixtures.newBuyer() + "\"}")
                .when().post("/api/sales/" + saleId + "/purchases")
                .then().statusCode(400)
                .body("code", equalTo("INVALID_REQUEST"))
                .body("field", equalTo("Idempotency-Key"));
        assertEquals(3, fixtures.redisStock(saleId));
    }
}
