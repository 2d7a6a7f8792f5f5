package io.flashsale;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
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

/** API.md "Sales": creating and reading sales. */
@QuarkusTest
class SalesApiTests {

    @Inject
    Fixtures fixtures;

    static final Instant START = Instant.now().minusSeconds(5);
    static final Instant END = Instant.now().plus(Duration.ofDays(1));

    @Test
    void createdSaleIsPrimedInRedisBeforeTheAnswer() {
        var created = given().contentType(ContentType.JSON)
                .body("""
                        {"sku":"PHONE-1","title":"Phone","priceCents":49900,"stock":25,
                         "startsAt":"%s","endsAt":"%s","paymentTimeoutSeconds":900}""".formatted(START, END))
                .when().post("/api/sales")
                .then().statusCode(201)
                .body("sku", equalTo("PHONE-1"))
                .body("priceCents", equalTo(49900))
                .body("stock", equalTo(25))
                .body("available", equalTo(25))
                .body("paymentTimeoutSeconds", equalTo(900))
                .body("state", equalTo("ACTIVE"))
                .extract();
        int id = created.jsonPath().getInt("id");
        org.hamcrest.MatcherAssert.assertThat(created.header("Location"), endsWith("/api/sales/" + id));
        assertEquals(25, fixtures.redisStock(id));
    }

    @Test
    void getShowsLiveCounters() {
        long saleId = fixtures.activeSale(10);
        Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201);
        Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201);

        given().when().get("/api/sales/" + saleId)
                .then().statusCode(200)
                .body("id", equalTo((int) saleId))
                .body("stock", equalTo(10))
                .body("available", equalTo(8))
                .body("reserved", equalTo(2))
                .body("paid", equalTo(0))
                .body("waitlistLength", equalTo(0))
                .body("state", equalTo("ACTIVE"))
                .body("startsAt", notNullValue())
                .body("endsAt", notNullValue());
    }

    @Test
    void stateTellsScheduledSoldOutAndActive() {
        long scheduled = fixtures.createSale(Fixtures.saleJson(3, Instant.now().plusSeconds(3600),
                Instant.now().plusSeconds(7200)));
        given().get("/api/sales/" + scheduled).then().statusCode(200).body("state", equalTo("SCHEDULED"));

        long tiny = fixtures.activeSale(1);
        given().get("/api/sales/" + tiny).then().body("state", equalTo("ACTIVE"));
        Fixtures.purchase(tiny, Fixtures.newBuyer()).then().statusCode(201);
        // the page may be up to 1 s old (API.md)
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(3)).untilAsserted(() ->
                given().get("/api/sales/" + tiny).then().body("state", equalTo("SOLD_OUT")).body("available", equalTo(0)));
    }

    @Test
    void unknownSaleIsNotFound() {
        given().when().get("/api/sales/abc").then().statusCode(400).body("code", equalTo("INVALID_REQUEST"))
                .body("field", equalTo("saleId"));
        for (String id : new String[] {"999999999", "-1", "0", "99999999999999999999"}) {
            given().when().get("/api/sales/" + id)
                    .then().statusCode(404)
                    .contentType("application/problem+json")
                    .body("code", equalTo("SALE_NOT_FOUND"))
                    .body("status", equalTo(404))
                    .body("type", notNullValue())
                    .body("title", notNullValue())
                    .body("detail", notNullValue());
        }
    }

    static Stream<Arguments> malformedSales() {
        String s = START.toString();
        String e = END.toString();
        return Stream.of(
                Arguments.of("not JSON", "{\"sku\": ", "body"),
                Arguments.of("empty body", "", "body"),
                Arguments.of("JSON array", "[1,2]", "body"),
                Arguments.of("missing sku", body(null, "T", "100", "5", s, e), "sku"),
                Arguments.of("empty sku", body("\"\"", "T", "100", "5", s, e), "sku"),
                Arguments.of("oversized sku", body("\"" + "x".repeat(65) + "\"", "T", "100", "5", s, e), "sku"),
                Arguments.of("sku as number", body("42", "T", "100", "5", s, e), "sku"),
                Arguments.of("blank title", body("\"A\"", "   ", "100", "5", s, e), "title"),
                Arguments.of("oversized title", body("\"A\"", "y".repeat(201), "100", "5", s, e), "title"),
                Arguments.of("negative price", body("\"A\"", "T", "-1", "5", s, e), "priceCents"),
                Arguments.of("price as string", body("\"A\"", "T", "\"100\"", "5", s, e), "priceCents"),
                Arguments.of("price fractional", body("\"A\"", "T", "1.5", "5", s, e), "priceCents"),
                Arguments.of("zero stock", body("\"A\"", "T", "100", "0", s, e), "stock"),
                Arguments.of("stock over 10M", body("\"A\"", "T", "100", "10000001", s, e), "stock"),
                Arguments.of("stock as text", body("\"A\"", "T", "100", "\"lots\"", s, e), "stock"),
                Arguments.of("missing startsAt", body("\"A\"", "T", "100", "5", null, e), "startsAt"),
                Arguments.of("bad startsAt", body("\"A\"", "T", "100", "5", "2026-13-45T99:00:00Z", e), "startsAt"),
                Arguments.of("endsAt before startsAt", body("\"A\"", "T", "100", "5", e, s), "endsAt"),
                Arguments.of("endsAt in the past", body("\"A\"", "T", "100", "5",
                        Instant.now().minusSeconds(7200).toString(), Instant.now().minusSeconds(3600).toString()),
                        "endsAt"),
                Arguments.of("endsAt equals startsAt", body("\"A\"", "T", "100", "5", e, e), "endsAt"),
                Arguments.of("endsAt in year 9999", body("\"A\"", "T", "100", "5", s, "9999-12-31T00:00:00Z"), "endsAt"),
                Arguments.of("endsAt in year 3000", body("\"A\"", "T", "100", "5", s, "3000-01-01T00:00:00Z"), "endsAt"),
                Arguments.of("startsAt before 2000", body("\"A\"", "T", "100", "5", "1999-12-31T23:59:59Z", e), "startsAt"),
                Arguments.of("startsAt in year 0", body("\"A\"", "T", "100", "5", "0000-01-01T00:00:00Z", e), "startsAt"),
                Arguments.of("endsAt beyond DATETIME", body("\"A\"", "T", "100", "5", s, "+12000-01-01T00:00:00Z"), "endsAt"),
                Arguments.of("zero payment timeout", body("\"A\"", "T", "100", "5", s, e)
                        .replace("}", ",\"paymentTimeoutSeconds\":0}"), "paymentTimeoutSeconds"));
    }

    private static String body(String skuJson, String title, String price, String stock, String starts, String ends) {
        StringBuilder json = new StringBuilder("{");
        if (skuJson != null) {
            json.append("\"sku\":").append(skuJson).append(',');
        }
        json.append("\"title\":\"").append(title).append("\",\"priceCents\":").append(price)
                .append(",\"stock\":").append(stock);
        if (starts != null) {
            json.append(",\"startsAt\":\"").append(starts).append('"');
        }
        json.append(",\"endsAt\":\"").append(ends).append("\"}");
        return json.toString();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedSales")
    void malformedSaleIsRejectedAndChangesNothing(String label, String json, String field) {
        long before = fixtures.count("SELECT COUNT(*) FROM sales");
        given().contentType(ContentType.JSON).body(json)
                .when().post("/api/sales")
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("code", equalTo("INVALID_REQUEST"))
                .body("status", equalTo(400))
                .body("field", equalTo(field));
        assertEquals(before, fixtures.count("SELECT COUNT(*) FROM sales"), "a rejected sale must write nothing");
    }
}
