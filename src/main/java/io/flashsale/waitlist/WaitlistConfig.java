package io.flashsale.waitlist;

import io.smallrye.config.ConfigMapping;
import java.time.Duration;

/** Waitlist settings; defaults live in application.properties. */
@ConfigMapping(prefix = "flashsale.waitlist")
public interface WaitlistConfig {

    /** Most buyers one sale's waitlist holds; beyond: 409 WAITLIST_FULL. */
    int maxLength();

    /** A position stream sends at most one update per this interval. */
    Duration streamThrottle();

    /** A position stream re-reads the position at least this often, even without a change signal. */
    Duration streamRefresh();

    /** Position streams one buyer may hold open at once; beyond: 429. */
    @io.smallrye.config.WithDefault("3")
    int maxStreamsPerBuyer();

    /** Position streams one instance holds open at once; beyond: 429. */
    @io.smallrye.config.WithDefault("10000")
    int maxStreams();
}
