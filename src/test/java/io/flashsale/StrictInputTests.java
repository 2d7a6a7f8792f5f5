package io.flashsale;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flashsale.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** API.md "Errors": strict input, answered 400 with the problem named, nothing changed. */
@QuarkusTest
class StrictInputTests {

    @Inject
    Fixtures fixtures;

    @Test
    void unknownFieldsAreRejectedByName() {
        long saleId = fixtures.activeSale(3);
        given().contentType(ContentType.JSON).body("{\"waitlist\":false,\"quantity\":5}")
                .post("/api/sales/" + saleId + "/purchases")
                .then().statusCode(400).body("code", equalTo("INVALID_REQUEST")).body("field", equalTo("quantity"))
                .body("detail", equalTo("unknown field 'quantity'"));
        String sale = Fixtures.saleJson(5, java.time.Instant.now(), java.time.Instant.now().plusSeconds(60))
                .replace("}", ",\"discount\":10}");
        given().contentType(ContentType.JSON).body(sale).post("/api/sales")
                .then().statusCode(400).body("field", equalTo("discount"));
        assertEquals(3, fixtures.redisStock(saleId));
    }

    @Test
    void duplicateKeysAreRejected() {
        long saleId = fixtures.activeSale(3);
        given().contentType(ContentType.JSON).body("{\"waitlist\":false,\"waitlist\":true}")
                .post("/api/sales/" + saleId + "/purchases")
                .then().statusCode(400).body("code", equalTo("INVALID_REQUEST"));
        assertEquals(3, fixtures.redisStock(saleId));
    }

    @Test
    void malformedJsonNamesLineAndColumnWithoutParserInternals() {
        long saleId = fixtures.activeSale(3);
        given().contentType(ContentType.JSON).body("{\n  \"waitlist\": tru }")
                .post("/api/sales/" + saleId + "/purchases")
                .then().statusCode(400).body("code", equalTo("INVALID_REQUEST")).body("field", equalTo("body"))
                .body("detail", containsString("line 2, column"))
                .body("detail", not(containsString("Unexpected")))
                .body("detail", not(containsString("Source")));
        assertEquals(3, fixtures.redisStock(saleId));
    }

    @Test
    void nonNumericSaleIdIsABadRequestNotANotFound() {
        given().contentType(ContentType.JSON).body("{}")
                .header("Authorization", io.flashsale.support.Tokens.bearer(io.flashsale.support.Tokens.buyer("ids")))
                .post("/api/sales/12abc/purchases")
                .then().statusCode(400).body("field", equalTo("saleId"));
        given().get("/api/sales/12abc/waitlist/me").then().statusCode(400).body("field", equalTo("saleId"));
    }
}
