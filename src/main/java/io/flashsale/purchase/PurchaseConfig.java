package io.flashsale.purchase;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Settings of the purchase path. */
@ConfigMapping(prefix = "flashsale.purchase")
public interface PurchaseConfig {

    /** Purchases past the local checks that one instance works on at once; beyond: 429. */
    @WithDefault("4096")
    int maxInFlight();

    /** Longest the purchase path waits for Redis before answering 503. */
    @WithDefault("2S")
    Duration redisTimeout();

    /**
     * After a purchase.lua reply was lost: how long to keep asking Redis whether the unit was
     * reserved before answering that the outcome is unknown.
     */
    @WithDefault("10S")
    Duration resolveDeadline();

    /**
     * A buyer's earlier reservation with no order this old (Redis clock) is treated as orphaned when
     * the buyer asks again: fenced and freed at once instead of waiting for the reconciler.
     */
    @WithDefault("5S")
    Duration orphanAfter();

    /** How long an Idempotency-Key's first (final) answer is kept for replay. */
    @WithDefault("24H")
    Duration idempotencyTtl();

    /**
     * How long an in-progress Idempotency-Key claim lives: long enough for any purchase to finish,
     * short enough that a crashed request does not block the key for long.
     */
    @WithDefault("60S")
    Duration idempotencyLease();

    /** How long a duplicate request waits for the first one (same key) to finish. */
    @WithDefault("2S")
    Duration idempotencyWait();
}
