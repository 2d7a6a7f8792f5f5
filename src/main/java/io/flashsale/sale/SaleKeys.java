package io.flashsale.sale;

import java.util.List;

/**
 * The Redis keys of one sale. All share the hash tag {sale:ID}, so a Lua script touching them
 * runs on one Redis Cluster shard.
 */
public record SaleKeys(long saleId) {

    private String key(String suffix) {
        return "fs:{sale:" + saleId + "}:" + suffix;
    }

    public String meta() {
        return key("meta");
    }

    public String stock() {
        return key("stock");
    }

    public String buyers() {
        return key("buyers");
    }

    public String reservations() {
        return key("reservations");
    }

    public String waitlist() {
        return key("waitlist");
    }

    /** hash: userId -> orderId the buyer received from the waitlist. */
    public String promoted() {
        return key("promoted");
    }

    public String idempotency(String userId, String idempotencyKey) {
        return key("idem:" + userId + ":" + idempotencyKey);
    }

    /** KEYS of purchase.lua, in order. */
    public List<String> purchaseKeys() {
        return List.of(meta(), stock(), buyers(), reservations(), waitlist());
    }

    /** KEYS of release_or_promote.lua, in order. */
    public List<String> releaseOrPromoteKeys() {
        return List.of(stock(), buyers(), reservations(), waitlist(), promoted());
    }

    /** KEYS of release.lua, in order. */
    public List<String> releaseKeys() {
        return List.of(stock(), buyers(), reservations());
    }
}
