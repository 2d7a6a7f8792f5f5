package io.flashsale.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;

import io.flashsale.support.Management;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The API.md contract over HTTP only, with the real MariaDB, Redis and Kafka: run in-process by
 * surefire, and against the packaged application by {@link ApiContractIT}, which extends this
 * class (the jar; the native executable when built with -Dnative). So nothing here may inject a
 * bean or read the database: what is checked is what a client sees.
 */
@QuarkusTest
public class ApiContractTests {

    /** The packaged jar verifies real tokens too: each call carries its natural caller's token. */
    @org.junit.jupiter.api.BeforeAll
    public static void authenticate() {
        io.flashsale.support.AutoAuth.install();
    }

    private static long createSale(int stock) {
        return given().contentType(ContentType.JSON).body("""
                {"sku":"IT-%s","title":"Integration","priceCents":500,"stock":%d,
                 "startsAt":"%s","endsAt":"%s"}""".formatted(UUID.randomUUID().toString().substring(0, 8), stock,
                        Instant.now().minusSeconds(5), Instant.now().plusSeconds(3600)))
                .post("/api/sales").then().statusCode(201).extract().jsonPath().getLong("id");
    }

    private static io.restassured.response.Response buy(long saleId, String userId, boolean waitlist) {
        return given().contentType(ContentType.JSON)
                .body("{\"userId\":\"" + userId + "\",\"waitlist\":" + waitlist + "}")
                .post("/api/sales/" + saleId + "/purchases");
    }

    @Test
    public void buyPayCancelAndWaitlistThroughThePackagedApp() {
        long saleId = createSale(2);
        String alice = "alice-" + saleId;
        String bob = "bob-" + saleId;
        String order = buy(saleId, alice, false).then().statusCode(201)
                .body("status", equalTo("PENDING_PAYMENT")).body("orderId", matchesPattern("[0-9A-Z]{13}"))
                .extract().path("orderId");
        buy(saleId, alice, false).then().statusCode(409).body("code", equalTo("ALREADY_PURCHASED"));
        String second = buy(saleId, bob, false).then().statusCode(201).extract().path("orderId");
        buy(saleId, "carol-" + saleId, true).then().statusCode(202).body("position", equalTo(1));
        buy(saleId, "dave-" + saleId, false).then().statusCode(409).body("code", equalTo("SOLD_OUT"));

        given().contentType(ContentType.JSON).body("{\"paymentId\":\"it-" + order + "\",\"amountCents\":500}")
                .post("/api/orders/" + order + "/payment").then().statusCode(200).body("status", equalTo("PAID"));
        given().post("/api/orders/" + second + "/cancel").then().statusCode(200).body("status", equalTo("CANCELLED"));
        given().get("/api/sales/" + saleId + "/waitlist/carol-" + saleId).then().statusCode(200)
                .body("status", equalTo("PROMOTED"));
        given().get("/api/sales/" + saleId).then().statusCode(200).body("available", equalTo(0));
    }

    @Test
    public void errorsAreProblemDocuments() {
        given().contentType(ContentType.JSON).body("{\"sku\":").post("/api/sales")
                .then().statusCode(400).contentType("application/problem+json")
                .body("code", equalTo("INVALID_REQUEST"));
        given().get("/api/sales/424242424242").then().statusCode(404).body("code", equalTo("SALE_NOT_FOUND"));
        given().get("/api/orders/nope").then().statusCode(404).body("code", equalTo("ORDER_NOT_FOUND"));
    }

    @Test
    public void operationsEndpoints() {
        // ready once the start-up steps (schema, order-id node, Kafka producer, purchase path) are done,
        // in parallel after the start
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).ignoreExceptions()
                .untilAsserted(() -> Management.given().get("/q/health/ready").then().statusCode(200)
                        .body(containsString("\"startup\"")));
        Management.given().get("/q/metrics").then().statusCode(200)
                .body(containsString("flashsale_order_batch_size"));
        // the management interface is not reachable through the API port
        given().get("/q/health/ready").then().statusCode(404);
        Management.given().get("/q/openapi").then().statusCode(200)
                .body(containsString("/api/sales/{saleId}/purchases"))
                .body(containsString("/api/orders/{orderId}/payment"))
                .body(containsString("/api/sales/{saleId}/waitlist/{userId}/events"))
                .body(containsString("PHONE-X")) // request examples are part of the document
                .body(containsString("WAITLISTED"));
    }
}
