package io.flashsale.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The role decides whether the Kafka consumers start: unit test of the config interceptor. */
class RoleConfigInterceptorTests {

    private static SmallRyeConfig config(Map<String, String> values) {
        return new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(values, "test", 100))
                .withInterceptors(new RoleConfigInterceptor())
                .build();
    }

    @Test
    void apiRoleDisablesTheConsumers() {
        assertEquals("false", config(Map.of("flashsale.role", "api"))
                .getRawValue("mp.messaging.incoming.sale-stats.enabled"));
        assertEquals("false", config(Map.of("flashsale.role", "API",
                "mp.messaging.incoming.sale-stats.enabled", "true"))
                .getRawValue("mp.messaging.incoming.sale-stats.enabled"));
    }

    @Test
    void workerAndAllKeepThem() {
        assertNull(config(Map.of("flashsale.role", "worker"))
                .getRawValue("mp.messaging.incoming.sale-stats.enabled"));
        assertEquals("true", config(Map.of("flashsale.role", "all",
                "mp.messaging.incoming.sale-stats.enabled", "true"))
                .getRawValue("mp.messaging.incoming.sale-stats.enabled"));
    }

    @Test
    void unknownRoleIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Role.parse("both"));
        assertEquals(Role.WORKER, Role.parse(" worker "));
    }
}
