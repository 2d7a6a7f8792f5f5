package io.flashsale.order;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Order lifecycle jobs (worker role). */
@ConfigMapping(prefix = "flashsale.lifecycle")
public interface LifecycleConfig {

    /** How often the reminder and expiry jobs look for due orders. */
    @WithDefault("1S")
    Duration pollInterval();

    /** Orders claimed per job round (one transaction). */
    @WithDefault("200")
    int batchSize();

    /** How often the reconciler compares Redis reservations with the database. */
    @WithDefault("30S")
    Duration reconcileInterval();

    /** A reservation without an order this old is treated as orphaned (the writer died). */
    @WithDefault("30S")
    Duration reservationGrace();
}
