package io.flashsale.stats;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Sale-statistics consumer settings. */
@ConfigMapping(prefix = "flashsale.stats")
public interface StatsConfig {

    /** Attempts per event after its batch failed, before it goes to the dead-letter topic. */
    @WithDefault("3")
    int maxAttempts();

    /** Pause between two attempts of one event. */
    @WithDefault("200MS")
    Duration retryDelay();
}
