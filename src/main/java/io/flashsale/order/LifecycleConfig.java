package io.flashsale.order;

import io.smallrye.config.ConfigMapping;
import java.time.Duration;

/** Order lifecycle jobs (worker role); defaults live in application.properties. */
@ConfigMapping(prefix = "flashsale.lifecycle")
public interface LifecycleConfig {

    /** How often the reminder and expiry jobs look for due orders. */
    Duration pollInterval();

    /** Orders claimed per job round (one transaction). */
    int batchSize();

    /** How often the reconciler compares Redis reservations with the database. */
    Duration reconcileInterval();

    /** A reservation without an order this old is treated as orphaned (the writer died). */
    Duration reservationGrace();
}
