package io.flashsale.outbox;

import java.time.Instant;

/** A claimed outbox row on its way to Kafka. */
public record OutboxRow(long id, String eventId, long aggregateId, String type, String payload, int attempts,
        Instant createdAt) {
}
