package io.flashsale.it;

import io.flashsale.support.Management;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import org.junit.jupiter.api.Test;

/**
 * {@link ApiContractTests} once more, against the packaged application (failsafe, after
 * {@code package}): the same HTTP calls, so the jar or native executable is held to the same
 * contract as the in-process run. Only what differs from test mode is added here.
 */
@QuarkusIntegrationTest
class ApiContractIT extends ApiContractTests {

    /** Swagger UI exists in dev and test mode only, never in the packaged application. */
    @Test
    void swaggerUiIsNotPackaged() {
        Management.given().get("/q/swagger-ui").then().statusCode(404);
    }
}
