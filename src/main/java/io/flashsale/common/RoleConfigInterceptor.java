package io.flashsale.common;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.Priorities;
import jakarta.annotation.Priority;

/**
 * Derives what a role implies from the one {@code flashsale.role} setting: an api instance does
 * not start the Kafka consumers (their channels are disabled), so operators set one variable,
 * not several that could disagree. Registered in META-INF/services (works in native too).
 */
@Priority(Priorities.APPLICATION)
public class RoleConfigInterceptor implements ConfigSourceInterceptor {

    private static final String CONSUMER_ENABLED = "mp.messaging.incoming.sale-stats.enabled";

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        if (CONSUMER_ENABLED.equals(name)) {
            ConfigValue role = context.proceed("flashsale.role");
            if (role != null && role.getValue() != null && !Role.parse(role.getValue()).runsWorkers()) {
                return ConfigValue.builder().withName(name).withValue("false")
                        .withConfigSourceName("flashsale.role=" + role.getValue()).build();
            }
        }
        return context.proceed(name);
    }
}
