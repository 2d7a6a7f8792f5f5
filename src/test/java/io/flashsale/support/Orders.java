package io.flashsale.support;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** Order calls of the public API. */
public final class Orders {

    private Orders() {
    }

    public static Response pay(String orderId, String paymentId, long amountCents) {
        return given().contentType(ContentType.JSON)
                .body("{\"paymentId\":\"" + paymentId + "\",\"amountCents\":" + amountCents + "}")
                .when().post("/api/orders/" + orderId + "/payment");
    }

    public static Response cancel(String orderId) {
        return given().when().post("/api/orders/" + orderId + "/cancel");
    }

    public static Response get(String orderId) {
        return given().when().get("/api/orders/" + orderId);
    }
}
