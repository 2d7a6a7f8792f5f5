package io.flashsale.common;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.Priorities;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithParentName;
import jakarta.annotation.Priority;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code flashsale.role}: the one setting that says what this process does ({@link Role}). Beans
 * inject this mapping; nothing else reads the property. What the role implies is derived from it,
 * so operators set one variable, not several that could disagree:
 * <ul>
 * <li>HTTP: a worker answers 404 on /api/* ({@link WorkerRoleApiFilter});</li>
 * <li>scheduled jobs: worker-only unless marked to run on every role ({@link ScheduledJobsByRole});</li>
 * <li>messaging channels and Flyway: switched off on an api instance by {@link ApiRoleSettings}.</li>
 * </ul>
 */
@ConfigMapping(prefix = "flashsale.role")
public interface RoleConfig {

    /** api (HTTP only), worker (jobs, consumers, migrations) or all (local runs and tests). */
    @WithParentName
    @WithDefault("all")
    String value();

    default Role role() {
        return Role.parse(value());
    }

    /**
     * Config-level consequences of the api role, applied before any extension reads its settings.
     * An api instance:
     * <ul>
     * <li>runs no reactive-messaging channel: every {@code mp.messaging.incoming.*} and
     * {@code mp.messaging.outgoing.*} channel reads {@code enabled=false}, by name pattern, so a
     * new {@code @Incoming} consumer (and its dead-letter channel) is worker-only with no edit
     * here. The api's own events leave through the outbox, whose relay uses a plain producer;</li>
     * <li>never runs Flyway: no migration, no validation, no clean (the worker role or the k8s
     * migrate Job migrates; the api only checks the version, see {@code startup/SchemaVersion}),
     * so it starts faster and a crowd of new pods never races to migrate.</li>
     * </ul>
     * Registered in META-INF/services (works in native too).
     */
    @Priority(Priorities.APPLICATION)
    class ApiRoleSettings implements ConfigSourceInterceptor {

        static final Pattern CHANNEL_ENABLED = Pattern.compile("mp\\.messaging\\.(incoming|outgoing)\\.[^.]+\\.enabled");
        static final Set<String> FLYWAY_AT_START = Set.of(
                "quarkus.flyway.migrate-at-start",
                "quarkus.flyway.validate-at-start",
                "quarkus.flyway.clean-at-start");

        @Override
        public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
            if (FLYWAY_AT_START.contains(name) || CHANNEL_ENABLED.matcher(name).matches()) {
                ConfigValue role = context.proceed("flashsale.role");
                if (role != null && role.getValue() != null && !Role.parse(role.getValue()).runsWorkers()) {
                    return ConfigValue.builder().withName(name).withValue("false")
                            .withConfigSourceName("flashsale.role=" + role.getValue()).build();
                }
            }
            return context.proceed(name);
        }
    }
}
