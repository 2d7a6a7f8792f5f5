package io.flashsale.outbox;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Outbox relay settings. */
@ConfigMapping(prefix = "flashsale.outbox")
public interface OutboxConfig {

    /** Kafka topic of order events (API.md). */
    @WithDefault("flashsale.order-events")
    String topic();

    /** CloudEvents {@code ce_source} of every event. */
    @WithDefault("/flashsale")
    String source();

    /** Rows claimed and published per round. */
    @WithDefault("500")
    int batchSize();

    /** How often the scheduled re-publisher looks for due rows (the fast path does not wait for it). */
    @WithDefault("1S")
    Duration pollInterval();

    /** Longest one round waits for Kafka to acknowledge its sends. */
    @WithDefault("5S")
    Duration publishTimeout();

    /** Failed attempts after which a row is marked DEAD and left for an operator. */
    @WithDefault("10")
    int maxAttempts();

    /** First retry delay; doubles per attempt up to {@link #backoffMax()}. */
    @WithDefault("1S")
    Duration backoffBase();

    @WithDefault("5M")
    Duration backoffMax();

    /** Published rows (and consumers' processed-event rows) older than this are purged. */
    @WithDefault("7D")
    Duration retention();
}
