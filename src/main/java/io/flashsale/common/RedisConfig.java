package io.flashsale.common;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * {@code flashsale.redis.timeout}: how long a caller off the purchase path waits for one Redis
 * answer (sale page and list, sale creation, order cancel, freeing and promoting a unit, the
 * reconciler's confirm, a waitlist stream's first read) before it answers 503 or leaves the work
 * to the next job round. A healthy Redis answers in about a millisecond; a few seconds cover a
 * replica promotion without holding threads for long. The purchase path keeps its own, tighter
 * budget ({@code flashsale.purchase.redis-timeout}). Replica acknowledgements are {@link ReplicaAcks}.
 */
@ConfigMapping(prefix = "flashsale.redis")
public interface RedisConfig {

    @WithDefault("3S")
    Duration timeout();
}
