package io.flashsale.startup;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Start-up settings. */
@ConfigMapping(prefix = "flashsale.startup")
public interface StartupConfig {

    /**
     * How long the start waits for the start-up steps before it lets the HTTP port open anyway.
     * Quarkus opens the serving port once the start has finished, and Knative probes that port
     * (TCP: /q/health is on the management port, which Knative cannot probe), so holding the start
     * until the steps are done keeps traffic away until a purchase can be served. Past this bound
     * (a step that keeps failing, e.g. the schema is behind) the port opens, so liveness does not
     * restart the pod, and /q/health/ready on the management port says what is missing.
     */
    @WithDefault("20S")
    Duration maxHold();
}
