package io.flashsale.purchase;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.flashsale.common.ApiLimitsConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/**
 * Token buckets on purchase attempts, per buyer and per client address, held in bounded memory
 * (a Caffeine cache: least recently seen callers are forgotten first, and an idle caller's bucket
 * would be full again anyway). One cache lookup and a few arithmetic operations per attempt:
 * cheap enough for the hot path, and taken only after the answers served from memory (sold out,
 * not started, ended), so the crowd's cheapest answers never pay it.
 */
@ApplicationScoped
public class AttemptLimiter {

    private final ApiLimitsConfig limits;
    private final Cache<String, Bucket> buckets;

    public AttemptLimiter(ApiLimitsConfig limits) {
        this.limits = limits;
        this.buckets = Caffeine.newBuilder()
                .maximumSize(limits.trackedCallers())
                .expireAfterAccess(Duration.ofMinutes(1))
                .build();
    }

    /** True when the attempt may proceed; false: answer 429. */
    public boolean allow(String buyer, String clientAddress) {
        long now = System.nanoTime();
        if (!buckets.get("b:" + buyer, k -> new Bucket(limits.buyerBurst())).take(now, limits.buyerRate(), limits.buyerBurst())) {
            return false;
        }
        return clientAddress == null || buckets.get("c:" + clientAddress, k -> new Bucket(limits.clientBurst()))
                .take(now, limits.clientRate(), limits.clientBurst());
    }

    /** Refills continuously at {@code rate} per second up to {@code burst}. */
    static final class Bucket {

        private double tokens;
        private long refilledAt;

        Bucket(int burst) {
            this.tokens = burst;
            this.refilledAt = System.nanoTime();
        }

        synchronized boolean take(long now, double rate, int burst) {
            tokens = Math.min(burst, tokens + (now - refilledAt) / 1e9 * rate);
            refilledAt = now;
            if (tokens < 1) {
                return false;
            }
            tokens -= 1;
            return true;
        }
    }
}
