package io.flashsale.waitlist;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Waitlist settings. */
@ConfigMapping(prefix = "flashsale.waitlist")
public interface WaitlistConfig {

    /** Most buyers one sale's waitlist holds; beyond: 409 WAITLIST_FULL. */
    @WithDefault("100000")
    int maxLength();

    /** A position stream sends at most one update per this interval. */
    @WithDefault("250MS")
    Duration streamThrottle();

    /** A position stream re-reads the position at least this often, even without a change signal. */
    @WithDefault("5S")
    Duration streamRefresh();

    /** Position streams one buyer may hold open at once; beyond: 429. */
    @WithDefault("3")
    int maxStreamsPerBuyer();

    /** Position streams one instance holds open at once; beyond: 429. */
    @WithDefault("10000")
    int maxStreams();
}
