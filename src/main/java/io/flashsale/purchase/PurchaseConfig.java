package io.flashsale.purchase;

import io.smallrye.config.ConfigMapping;
import java.time.Duration;

/** Settings of the purchase path; defaults live in application.properties. */
@ConfigMapping(prefix = "flashsale.purchase")
public interface PurchaseConfig {

    /** Purchases past the local checks that one instance works on at once; beyond: 429. */
    int maxInFlight();

    /** Longest the purchase path waits for Redis before answering 503. */
    Duration redisTimeout();

    /** How long an Idempotency-Key's first answer is kept for replay. */
    Duration idempotencyTtl();

    /** How long a duplicate request waits for the first one (same key) to finish. */
    Duration idempotencyWait();
}
