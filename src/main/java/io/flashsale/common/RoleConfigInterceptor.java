package io.flashsale.common;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.Priorities;
import jakarta.annotation.Priority;
import java.util.Map;

/**
 * Derives what a role implies from the one {@code flashsale.role} setting, so operators set one
 * variable, not several that could disagree. An api instance:
 * <ul>
 * <li>starts no Kafka consumer and no dead-letter producer (their channels are disabled);</li>
 * <li>never runs Flyway: no migration, no validation, no clean (the worker role or the k8s
 * migrate Job migrates; the api only checks the version, see {@code startup/SchemaVersion}), so
 * it starts faster and a crowd of new pods never races to migrate.</li>
 * </ul>
 * Registered in META-INF/services (works in native too).
 */
@Priority(Priorities.APPLICATION)
public class RoleConfigInterceptor implements ConfigSourceInterceptor {

    static final Map<String, String> API_ROLE = Map.of(
            "mp.messaging.incoming.sale-stats.enabled", "false",
            "mp.messaging.outgoing.sale-stats-dlq.enabled", "false",
            "quarkus.flyway.migrate-at-start", "false",
            "quarkus.flyway.validate-at-start", "false",
            "quarkus.flyway.clean-at-start", "false");

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        String forced = API_ROLE.get(name);
        if (forced != null) {
            ConfigValue role = context.proceed("flashsale.role");
            if (role != null && role.getValue() != null && !Role.parse(role.getValue()).runsWorkers()) {
                return ConfigValue.builder().withName(name).withValue(forced)
                        .withConfigSourceName("flashsale.role=" + role.getValue()).build();
            }
        }
        return context.proceed(name);
    }
}
