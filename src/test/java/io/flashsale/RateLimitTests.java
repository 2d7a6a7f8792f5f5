package io.flashsale;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flashsale.support.Fixtures;
import io.flashsale.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** API.md: 413 PAYLOAD_TOO_LARGE for bodies over 4 KiB; 429 RATE_LIMITED per buyer, with Retry-After. */
@QuarkusTest
class RateLimitTests {

    @Inject
    Fixtures fixtures;

    @Test
    void bodiesOverFourKibAreRefusedUnreadAndChangeNothing() {
        long saleId = fixtures.activeSale(3);
        String big = "{\"waitlist\":false,\"pad\":\"" + "x".repeat(5_000) + "\"}";
        given().contentType(ContentType.JSON).body(big).post("/api/sales/" + saleId + "/purchases")
                .then().statusCode(413).contentType("application/problem+json")
                .body("code", org.hamcrest.Matchers.equalTo("PAYLOAD_TOO_LARGE"));
        given().contentType(ContentType.JSON).body(big).post("/api/sales").then().statusCode(413);
        assertEquals(3, fixtures.redisStock(saleId));
    }

    @Test
    void aBuyerHammeringThePurchasePathIsSlowedDownOthersAreNot() {
        long saleId = fixtures.activeSale(5);
        String hammer = Fixtures.newBuyer();
        List<Response> answers = new ArrayList<>();
        for (int i = 0; i < 80; i++) { // far beyond the (test profile) burst of 30
            answers.add(given().contentType(ContentType.JSON).header("Authorization", Tokens.bearer(Tokens.buyer(hammer)))
                    .body("{}").post("/api/sales/" + saleId + "/purchases").then().extract().response());
        }
        long limited = answers.stream().filter(r -> r.statusCode() == 429).count();
        long created = answers.stream().filter(r -> r.statusCode() == 201).count();
        assertEquals(1, created, "one order, whatever the hammering");
        assertTrue(limited >= 20, "limited " + limited + " of 80");
        Response first = answers.stream().filter(r -> r.statusCode() == 429).findFirst().orElseThrow();
        assertEquals("RATE_LIMITED", first.jsonPath().getString("code"));
        assertTrue(first.header("Retry-After") != null);
        // another buyer is not affected
        Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201);
        fixtures.assertConservation(saleId, 5);
    }
}
