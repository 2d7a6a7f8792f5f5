package io.flashsale.hotkey;

/**
 * Which of a sale's Redis key families a request addresses. All of them live in the sale's one
 * hash slot ({@code {sale:ID}}), so together they are the load on the shard that owns the sale;
 * per family they tell which path to relieve.
 */
public enum KeyFamily {
    /** A purchase attempt: stock, buyers, reservations (purchase.lua), unless answered from memory. */
    PURCHASE("purchase"),
    /** The public sale page: its counters (sale_counters.lua), at most once per page-ttl per instance. */
    PAGE("page"),
    /** Waitlist status, leave and position streams (waitlist_status.lua, leave_waitlist.lua). */
    WAITLIST("waitlist"),
    /** A purchase carrying an Idempotency-Key: the key's claim and its replayed answer. */
    IDEMPOTENCY("idempotency");

    private static final KeyFamily[] ALL = values();

    private final String label;

    KeyFamily(String label) {
        this.label = label;
    }

    /** The name in metrics, messages and the console. */
    public String label() {
        return label;
    }

    public static KeyFamily ofLabel(String label) {
        for (KeyFamily family : ALL) {
            if (family.label.equals(label)) {
                return family;
            }
        }
        throw new IllegalArgumentException("unknown key family '" + label + "'");
    }

    static KeyFamily[] all() {
        return ALL;
    }
}
