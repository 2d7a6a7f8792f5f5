package io.flashsale.stats;

import io.smallrye.config.ConfigMapping;
import java.time.Duration;

/** Sale-statistics consumer settings; defaults live in application.properties. */
@ConfigMapping(prefix = "flashsale.stats")
public interface StatsConfig {

    /** Attempts per event after its batch failed, before it goes to the dead-letter topic. */
    int maxAttempts();

    /** Pause between two attempts of one event. */
    Duration retryDelay();
}
