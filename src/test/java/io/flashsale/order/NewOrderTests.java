package io.flashsale.order;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A new order's timers: the reminder sits at the same fraction of a sale's own payment window. */
class NewOrderTests {

    static final Instant CREATED = Instant.parse("2026-03-01T10:00:00Z");

    static PaymentConfig timers(Duration remindAfter, Duration expireAfter) {
        return new PaymentConfig() {
            @Override
            public Duration remindAfter() {
                return remindAfter;
            }

            @Override
            public Duration expireAfter() {
                return expireAfter;
            }
        };
    }

    @Test
    void theDefaultWindowRemindsHalfwayAndExpiresAtTheEnd() {
        NewOrder order = NewOrder.of(1, 2, "alice", 49_900, CREATED, Duration.ofMinutes(60),
                timers(Duration.ofMinutes(30), Duration.ofMinutes(60)), false, 3);
        assertEquals(CREATED.plus(Duration.ofMinutes(30)), order.remindAt());
        assertEquals(CREATED.plus(Duration.ofMinutes(60)), order.payBy());
        assertEquals(CREATED, order.createdAt());
        assertEquals(3, order.generation());
        assertFalse(order.promoted());
    }

    @Test
    void aSaleWithItsOwnTimeoutKeepsTheReminderFraction() {
        // remind at 30 of 60 minutes -> half of a 15-minute sale window
        NewOrder order = NewOrder.of(1, 2, "bob", 100, CREATED, Duration.ofSeconds(900),
                timers(Duration.ofMinutes(30), Duration.ofMinutes(60)), true, 0);
        assertEquals(CREATED.plusSeconds(450), order.remindAt());
        assertEquals(CREATED.plusSeconds(900), order.payBy());
        assertTrue(order.promoted());
    }

    @Test
    void anUnevenFractionRoundsToTheNearestMillisecondAndStaysInsideTheWindow() {
        // 1/3 of 1001 ms = 333.67 ms -> 334 ms
        NewOrder order = NewOrder.of(1, 2, "carol", 100, CREATED, Duration.ofMillis(1001),
                timers(Duration.ofMinutes(20), Duration.ofMinutes(60)), false, 0);
        assertEquals(CREATED.plusMillis(334), order.remindAt());
        assertTrue(order.remindAt().isBefore(order.payBy()));
    }
}
