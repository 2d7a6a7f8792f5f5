package io.flashsale.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the role implies at the config level (RoleConfig.ApiRoleSettings), without starting Quarkus. */
class RoleConfigTests {

    private static SmallRyeConfig config(Map<String, String> values) {
        return new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(values, "test", 100))
                .withInterceptors(new RoleConfig.ApiRoleSettings())
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
    void apiRoleDisablesAnyChannelWithoutAList() {
        // a consumer added later, and its dead-letter channel, are worker-only with no edit to RoleConfig
        SmallRyeConfig api = config(Map.of("flashsale.role", "api",
                "mp.messaging.incoming.refund-requests.enabled", "true"));
        assertEquals("false", api.getRawValue("mp.messaging.incoming.refund-requests.enabled"));
        assertEquals("false", api.getRawValue("mp.messaging.outgoing.refund-requests-dlq.enabled"));
        // only the channels' switch: their other settings are untouched
        assertNull(api.getRawValue("mp.messaging.incoming.refund-requests.topic"));
    }

    @Test
    void apiRoleNeverRunsFlywayNorTheDeadLetterProducer() {
        SmallRyeConfig api = config(Map.of("flashsale.role", "api", "quarkus.flyway.migrate-at-start", "true",
                "quarkus.flyway.clean-at-start", "true"));
        assertEquals("false", api.getRawValue("quarkus.flyway.migrate-at-start"));
        assertEquals("false", api.getRawValue("quarkus.flyway.clean-at-start"));
        assertEquals("false", api.getRawValue("quarkus.flyway.validate-at-start"));
        assertEquals("false", api.getRawValue("mp.messaging.outgoing.sale-stats-dlq.enabled"));
    }

    @Test
    void workerAndAllStillMigrate() {
        for (String role : new String[] { "worker", "all" }) {
            SmallRyeConfig config = config(Map.of("flashsale.role", role, "quarkus.flyway.migrate-at-start", "true"));
            assertEquals("true", config.getRawValue("quarkus.flyway.migrate-at-start"), role);
            assertNull(config.getRawValue("mp.messaging.outgoing.sale-stats-dlq.enabled"), role);
        }
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
