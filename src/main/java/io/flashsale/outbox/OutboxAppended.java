package io.flashsale.outbox;

/** CDI event: outbox rows were written in the current transaction (the relay wakes after commit). */
public record OutboxAppended(int rows) {
}
