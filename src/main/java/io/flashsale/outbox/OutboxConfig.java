package io.flashsale.outbox;

import io.smallrye.config.ConfigMapping;
import java.time.Duration;

/** Outbox relay settings; defaults live in application.properties. */
@ConfigMapping(prefix = "flashsale.outbox")
public interface OutboxConfig {

    /** Kafka topic of order events (API.md). */
    String topic();

    /** CloudEvents {@code ce_source} of every event. */
    String source();

    /** Rows claimed and published per round. */
    int batchSize();

    /** How often the scheduled re-publisher looks for due rows (the fast path does not wait for it). */
    Duration pollInterval();

    /** Longest one round waits for Kafka to acknowledge its sends. */
    Duration publishTimeout();

    /** Failed attempts after which a row is marked DEAD and left for an operator. */
    int maxAttempts();

    /** First retry delay; doubles per attempt up to {@link #backoffMax()}. */
    Duration backoffBase();

    Duration backoffMax();

    /** Published rows (and consumers' processed-event rows) older than this are purged. */
    Duration retention();
}
