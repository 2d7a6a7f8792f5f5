package io.flashsale.common;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Abuse limits of the public API (API.md: 413 PAYLOAD_TOO_LARGE, 429 RATE_LIMITED). */
@ConfigMapping(prefix = "flashsale.api")
public interface ApiLimitsConfig {

    /** Largest request body accepted; larger ones are refused by their Content-Length, unread. */
    @WithDefault("4096")
    int maxBodyBytes();

    /** Purchase attempts one buyer may make per second, sustained... */
    @WithDefault("5")
    double buyerRate();

    /** ...and in a burst. */
    @WithDefault("10")
    int buyerBurst();

    /**
     * Purchase attempts per second from one client address: generous, since many buyers share a NAT.
     * Behind a load balancer every request seems to come from it unless the real address is taken
     * from X-Forwarded-For ({@code quarkus.http.proxy.proxy-address-forwarding=true}).
     */
    @WithDefault("1000")
    double clientRate();

    @WithDefault("2000")
    int clientBurst();

    /**
     * Distinct Idempotency-Keys one buyer may use for one sale (each answer is stored for
     * {@code flashsale.purchase.idempotency-ttl}); beyond: 429. An honest client needs one per purchase intent.
     */
    @WithDefault("20")
    int idempotencyKeysPerBuyer();

    /** Verified bearer tokens remembered at once (each until its exp, at most a minute). */
    @WithDefault("20000")
    long verifiedTokens();

    /** Buyers and addresses whose buckets are remembered at once (bounded memory, least recent evicted). */
    @WithDefault("1000000")
    long trackedCallers();
}
