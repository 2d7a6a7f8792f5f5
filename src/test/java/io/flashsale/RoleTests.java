package io.flashsale;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.flashsale.support.Management;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/** flashsale.role=worker: jobs and consumers, no API; health and metrics still served. */
@QuarkusTest
@TestProfile(RoleTests.Worker.class)
class RoleTests {

    public static class Worker implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("flashsale.role", "worker");
        }
    }

    @Test
    void workerServesHealthAndMetricsButNotTheApi() {
        given().get("/api/sales/1").then().statusCode(404)
                .contentType("application/problem+json").body("code", equalTo("NOT_FOUND"));
        given().contentType("application/json").body("{\"userId\":\"u\"}").post("/api/sales/1/purchases")
                .then().statusCode(404);
        Management.given().get("/q/health/live").then().statusCode(200);
        Management.given().get("/q/metrics").then().statusCode(200);
        // and never on the API port
        given().get("/q/health/live").then().statusCode(404);
        // the worker keeps its consumer
        org.junit.jupiter.api.Assertions.assertEquals("true", ConfigProvider.getConfig()
                .getOptionalValue("mp.messaging.incoming.sale-stats.enabled", String.class).orElse("true"));
    }
}
