package io.flashsale.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Exponential backoff of undelivered outbox rows. */
class OutboxBackoffTests {

    private static final Duration BASE = Duration.ofSeconds(1);
    private static final Duration MAX = Duration.ofMinutes(5);

    @Test
    void doublesPerAttemptFromTheBase() {
        assertEquals(Duration.ofSeconds(1), OutboxBackoff.delay(BASE, MAX, 1));
        assertEquals(Duration.ofSeconds(2), OutboxBackoff.delay(BASE, MAX, 2));
        assertEquals(Duration.ofSeconds(4), OutboxBackoff.delay(BASE, MAX, 3));
        assertEquals(Duration.ofSeconds(256), OutboxBackoff.delay(BASE, MAX, 9));
    }

    @Test
    void isCappedAndNeverOverflows() {
        assertEquals(MAX, OutboxBackoff.delay(BASE, MAX, 10));
        assertEquals(MAX, OutboxBackoff.delay(BASE, MAX, 64));
        assertEquals(MAX, OutboxBackoff.delay(BASE, MAX, Integer.MAX_VALUE));
        assertEquals(BASE, OutboxBackoff.delay(BASE, MAX, 0));
    }
}
