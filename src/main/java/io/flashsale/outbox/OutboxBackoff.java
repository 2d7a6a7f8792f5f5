package io.flashsale.outbox;

import java.time.Duration;

/** Exponential backoff of failed deliveries: base, 2x base, 4x base, ... capped at max. */
public final class OutboxBackoff {

    private OutboxBackoff() {
    }

    public static Duration delay(Duration base, Duration max, int attempts) {
        int doublings = Math.max(0, Math.min(attempts - 1, 30));
        long millis = base.toMillis() << doublings;
        return millis <= 0 || millis > max.toMillis() ? max : Duration.ofMillis(millis);
    }
}
