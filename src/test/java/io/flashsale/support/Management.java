package io.flashsale.support;

import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The management interface ({@code /q/health}, {@code /q/metrics}, {@code /q/openapi}) listens on
 * its own port, not on the API's: under tests on {@code quarkus.management.test-port} (9001).
 */
public final class Management {

    private Management() {
    }

    public static int port() {
        return ConfigProvider.getConfig().getOptionalValue("quarkus.management.test-port", Integer.class)
                .orElse(9001);
    }

    /** A RestAssured request to the management port. */
    public static RequestSpecification given() {
        return RestAssured.given().port(port());
    }
}
