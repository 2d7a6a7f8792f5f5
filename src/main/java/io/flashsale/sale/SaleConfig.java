package io.flashsale.sale;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Settings of the sale feature. */
@ConfigMapping(prefix = "flashsale.sale")
public interface SaleConfig {

    /** How long an instance trusts its cached copy of a sale definition. */
    @WithDefault("5S")
    Duration cacheTtl();

    /** How long a locally known "sold out" is trusted without hearing from Redis again. */
    @WithDefault("2S")
    Duration soldOutTtl();

    /** How long after a sale ends its Redis keys are kept (late payments, cancels, audits). */
    @WithDefault("7D")
    Duration redisRetention();

    /**
     * Pub/sub channel carrying "soldout:ID", "available:ID" and "waitlist:ID" to every instance.
     * Pub/sub ignores Redis logical databases: deployments sharing one Redis need their own channel.
     */
    @WithDefault("fs:sale-events")
    String eventsChannel();

    /**
     * Oldest a sold-out sale's filter of buyers may get before it is loaded again (SoldOutBuyers);
     * bounds the harm of a lost pub/sub message.
     */
    @WithDefault("10S")
    Duration buyerFilterMaxAge();

    /** False-positive rate of that filter: the share of non-buyers still sent to Redis after a sell-out. */
    @WithDefault("0.01")
    double buyerFilterFpp();

    /** How long an instance serves the rendered sale page before reading Redis again (API.md: up to 1 s). */
    @WithDefault("1S")
    Duration pageTtl();
}
