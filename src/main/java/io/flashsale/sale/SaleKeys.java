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

    /** string: held by the instance rebuilding this sale's keys (short expiry). */
    public String rebuildLock() {
        return key("rebuilding");
    }

    /** set: order ids declared dead by resolve_reservation.lua; purchase.lua refuses them. */
    public String voided() {
        return key("voided");
    }

    /**
     * One buyer's Idempotency-Key. The user id is length-prefixed, so no (user, key) pair can
     * spell the same Redis key as another ("a:b" + "c" vs "a" + "b:c").
     */
    public String idempotency(String userId, String idempotencyKey) {
        return key("idem:" + userId.length() + ":" + userId + ":" + idempotencyKey);
    }

    /** set: the Idempotency-Keys one buyer used for this sale (claim_idempotency_key.lua counts them). */
    public String idempotencyKeysOf(String userId) {
        return key("idem-keys:" + userId);
    }

    /** KEYS of purchase.lua, in order. */
    public List<String> purchaseKeys() {
        return List.of(meta(), stock(), buyers(), reservations(), waitlist(), promoted(), voided());
    }

    /** KEYS of release_or_promote.lua, in order. */
    public List<String> releaseOrPromoteKeys() {
        return List.of(stock(), buyers(), reservations(), waitlist(), promoted(), meta());
    }

    /** KEYS of resolve_reservation.lua, in order. */
    public List<String> resolveKeys() {
        return List.of(reservations(), voided(), meta());
    }

    /** KEYS of prime_sale.lua, in order. */
    public List<String> primeKeys() {
        return List.of(meta(), stock(), buyers(), reservations(), waitlist(), promoted(), voided());
    }
}
