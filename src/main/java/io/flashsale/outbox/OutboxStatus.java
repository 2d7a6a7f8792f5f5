package io.flashsale.outbox;

/**
 * The {@code outbox_events.status} column (V1 migration: VARCHAR(16)). A row is written PENDING,
 * becomes PUBLISHED once Kafka acknowledged it, or DEAD after {@code max-attempts} failures; an
 * operator's requeue turns DEAD back into PENDING. Stored by {@link #name()}.
 */
public enum OutboxStatus {
    /** Waiting for the relay (first attempt or a backed-off retry). */
    PENDING,
    /** Acknowledged by every in-sync replica; purged after the retention period. */
    PUBLISHED,
    /** Gave up after max-attempts; waits for an operator (GET /api/ops/outbox/dead). */
    DEAD
}
