package io.flashsale.support;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** Waitlist calls of the public API. */
public final class Waitlists {

    private Waitlists() {
    }

    public static Response join(long saleId, String userId) {
        return given().contentType(ContentType.JSON).body("{\"userId\":\"" + userId + "\",\"waitlist\":true}")
                .when().post("/api/sales/" + saleId + "/purchases");
    }

    public static Response status(long saleId, String userId) {
        return given().when().get("/api/sales/" + saleId + "/waitlist/" + userId);
    }

    public static Response leave(long saleId, String userId) {
        return given().when().delete("/api/sales/" + saleId + "/waitlist/" + userId);
    }
}
