package io.flashsale.order;

import io.smallrye.config.ConfigMapping;
import java.time.Duration;

/** Micro-batching of new orders; defaults live in application.properties. */
@ConfigMapping(prefix = "flashsale.order.batch")
public interface OrderBatchConfig {

    /** Most orders committed in one transaction. */
    int maxSize();

    /** Longest a batch waits for more orders once it has its first. */
    Duration maxWait();

    /** Writer threads; while one commits, the next batch fills. */
    int writers();

    /** Orders waiting for a writer before new purchases are turned away (429). */
    int queueCapacity();

    /**
     * How long a writer keeps asking the database about a batch whose commit answer was lost
     * before it gives up and reports the outcome unknown (nothing is released then).
     */
    Duration doubtResolution();
}
