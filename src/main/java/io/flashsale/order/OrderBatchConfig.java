package io.flashsale.order;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Micro-batching of new orders. */
@ConfigMapping(prefix = "flashsale.order.batch")
public interface OrderBatchConfig {

    /** Most orders committed in one transaction. */
    @WithDefault("500")
    int maxSize();

    /** Longest a batch waits for more orders once it has its first. */
    @WithDefault("2MS")
    Duration maxWait();

    /** Writer threads; while one commits, the next batch fills. */
    @WithDefault("2")
    int writers();

    /** Orders waiting for a writer before new purchases are turned away (429). */
    @WithDefault("20000")
    int queueCapacity();

    /**
     * How long a writer keeps asking the database about a batch whose commit answer was lost
     * before it gives up and reports the outcome unknown (nothing is released then).
     */
    @WithDefault("20S")
    Duration doubtResolution();
}
