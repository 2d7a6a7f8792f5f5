package io.flashsale.sale;

import java.util.List;

/**
 * The Redis keys of one sale.
 * <p>
 * A sale with one stock bucket (the default) keeps every key under the hash tag {sale:ID}, so a
 * Lua script touching them runs on one Redis Cluster shard. A sale created with N &gt; 1 buckets
 * spreads its stock over N buckets, each with its own hash tag {sale:ID:K} (see {@link #tag}), so
 * on a cluster the purchases of one hot sale are served by up to N masters. Each bucket holds a
 * copy of the sale window (meta), its share of the stock, the reservations taken from it, the
 * registry of buyers whose home it is ({@link #home}) and its voided order ids. Bucket 0 is also
 * the sale's hub: the waitlist, who was promoted from it, and the per-bucket stock levels that
 * tell when every bucket is empty (sold out). With one bucket, bucket 0 and the hub are the
 * {sale:ID} keys of old: nothing changes for such a sale.
 * <p>
 * The rebuild lock is per sale: it keeps {sale:ID}. A buyer's Idempotency-Keys live in the buyer's
 * home bucket (bucket 0 = {sale:ID} for a one-bucket sale), so their claims spread like the purchases.
 */
public final class SaleKeys {

    /** The most buckets a sale may have (SaleRequest validates it). */
    public static final int MAX_BUCKETS = 16;

    private final long saleId;
    private final int buckets;
    private final Bucket[] bucketKeys;

    public SaleKeys(long saleId) {
        this(saleId, 1);
    }

    public SaleKeys(long saleId, int buckets) {
        if (buckets < 1 || buckets > MAX_BUCKETS) {
            throw new IllegalArgumentException("buckets must be 1.." + MAX_BUCKETS + ": " + buckets);
        }
        this.saleId = saleId;
        this.buckets = buckets;
        this.bucketKeys = new Bucket[buckets];
        String[] tags = tags(saleId, buckets);
        for (int b = 0; b < buckets; b++) {
            bucketKeys[b] = new Bucket(b, tags[b]);
        }
    }

    public long saleId() {
        return saleId;
    }

    public int buckets() {
        return buckets;
    }

    /** The keys of bucket {@code b} (0-based). */
    public Bucket bucket(int b) {
        return bucketKeys[b];
    }

    /**
     * The buyer's home bucket: where their registry entry (one active order per buyer) lives and
     * where their purchases take stock first. A pure function of the buyer and N, the same on
     * every instance.
     */
    public int home(String userId) {
        return homeOf(userId, buckets);
    }

    public static int homeOf(String userId, int buckets) {
        if (buckets == 1) {
            return 0;
        }
        // String.hashCode is specified, so stable across JVMs; the mix spreads similar ids
        int h = userId.hashCode();
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return Math.floorMod(h, buckets);
    }

    /**
     * The hash tags of a sale's buckets. One bucket: "sale:ID" (as before buckets existed).
     * N buckets: bucket b gets "sale:ID:K" with the smallest K (not taken by an earlier bucket)
     * whose slot lies in the middle half of the b-th N-th of the 16384 slots. The slots are then
     * spread evenly, so on a cluster whose masters own equal slot ranges (what redis-cli
     * --cluster create makes) N buckets over N masters land one per master; about 2N tags are
     * tried per bucket, a pure computation every instance repeats identically.
     */
    static String[] tags(long saleId, int buckets) {
        String[] tags = new String[buckets];
        if (buckets == 1) {
            tags[0] = "sale:" + saleId;
            return tags;
        }
        double width = SlotHash.SLOTS / (double) buckets;
        int k = 0;
        for (int b = 0; b < buckets; b++) {
            double center = width * b + width / 2;
            for (int candidate = 0; ; candidate++) {
                String tag = "sale:" + saleId + ":" + candidate;
                if (Math.abs(SlotHash.slotOfTag(tag) - center) <= width / 4 && !taken(tags, b, tag)) {
                    tags[b] = tag;
                    break;
                }
                if (candidate > 100_000) {
                    throw new IllegalStateException("no tag found for bucket " + b + " of sale " + saleId);
                }
            }
        }
        return tags;
    }

    private static boolean taken(String[] tags, int upTo, String tag) {
        for (int i = 0; i < upTo; i++) {
            if (tag.equals(tags[i])) {
                return true;
            }
        }
        return false;
    }

    private String saleKey(String suffix) {
        return "fs:{sale:" + saleId + "}:" + suffix;
    }

    /** Bucket 0's meta (the only meta of a one-bucket sale). */
    public String meta() {
        return bucket(0).meta();
    }

    /** Bucket 0's stock (the whole stock of a one-bucket sale). */
    public String stock() {
        return bucket(0).stock();
    }

    /** Bucket 0's buyer registry (every buyer of a one-bucket sale). */
    public String buyers() {
        return bucket(0).buyers();
    }

    /** Bucket 0's reservations (every reservation of a one-bucket sale). */
    public String reservations() {
        return bucket(0).reservations();
    }

    /** Bucket 0's voided order ids. */
    public String voided() {
        return bucket(0).voided();
    }

    /** Hub (bucket 0): sorted set of waiting buyers. */
    public String waitlist() {
        return bucket(0).waitlist();
    }

    /** Hub (bucket 0): hash userId -> orderId the buyer received from the waitlist. */
    public String promoted() {
        return bucket(0).promoted();
    }

    /**
     * Hub (bucket 0) of a sale with buckets: hash bucket -> "flips|empty", the last known stock
     * level of each bucket (stock_level.lua); flips orders the reports of one bucket.
     */
    public String levels() {
        return bucket(0).key("levels");
    }

    /** Hub (bucket 0) of a sale with buckets: string present while every bucket is empty. */
    public String soldOut() {
        return bucket(0).key("soldout");
    }

    /** string: held by the instance rebuilding this sale's keys (short expiry). */
    public String rebuildLock() {
        return saleKey("rebuilding");
    }

    /**
     * One buyer's Idempotency-Key. The user id is length-prefixed, so no (user, key) pair can
     * spell the same Redis key as another ("a:b" + "c" vs "a" + "b:c").
     */
    public String idempotency(String userId, String idempotencyKey) {
        return bucket(home(userId)).key("idem:" + userId.length() + ":" + userId + ":" + idempotencyKey);
    }

    /** set: the Idempotency-Keys one buyer used for this sale (claim_idempotency_key.lua counts them). */
    public String idempotencyKeysOf(String userId) {
        return bucket(home(userId)).key("idem-keys:" + userId);
    }

    /** KEYS of purchase.lua, in order (one-bucket sales). */
    public List<String> purchaseKeys() {
        return List.of(meta(), stock(), buyers(), reservations(), waitlist(), promoted(), voided());
    }

    /** KEYS of release_or_promote.lua, in order (one-bucket sales). */
    public List<String> releaseOrPromoteKeys() {
        return List.of(stock(), buyers(), reservations(), waitlist(), promoted(), meta());
    }

    /** KEYS of claim_idempotency_key.lua, in order (the buyer's home bucket). */
    public List<String> idempotencyClaimKeys(String userId, String idempotencyKey) {
        return List.of(idempotency(userId, idempotencyKey), idempotencyKeysOf(userId));
    }

    /** KEYS of waitlist_status.lua, in order (the hub, bucket 0). */
    public List<String> waitlistStatusKeys() {
        return List.of(waitlist(), promoted());
    }

    /** KEYS of join_waitlist.lua, in order (the hub, bucket 0). */
    public List<String> waitlistJoinKeys() {
        return List.of(waitlist(), promoted(), meta());
    }

    /** KEYS of promote_waiter.lua, in order (the hub, bucket 0). */
    public List<String> promoteWaiterKeys() {
        return List.of(waitlist(), promoted(), meta());
    }

    /** KEYS of stock_level.lua, in order (the hub, bucket 0). */
    public List<String> stockLevelKeys() {
        return List.of(levels(), soldOut(), meta());
    }

    /** KEYS of resolve_reservation.lua, in order (bucket 0). */
    public List<String> resolveKeys() {
        return bucket(0).resolveKeys();
    }

    /** KEYS of prime_sale.lua, in order (bucket 0). */
    public List<String> primeKeys() {
        return bucket(0).primeKeys();
    }

    /**
     * The keys of one bucket, all under its hash tag. {@code waitlist} and {@code promoted} are
     * used only in bucket 0 (the hub); another bucket's are never written (sale_counters.lua reads
     * its empty waitlist as 0).
     */
    public record Bucket(int index, String tag) {

        String key(String suffix) {
            return "fs:{" + tag + "}:" + suffix;
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

        public String promoted() {
            return key("promoted");
        }

        /** set: order ids declared dead by resolve_reservation.lua; the reserving scripts refuse them. */
        public String voided() {
            return key("voided");
        }

        /** KEYS of resolve_reservation.lua, in order. */
        public List<String> resolveKeys() {
            return List.of(reservations(), voided(), meta());
        }

        /** KEYS of prime_sale.lua, in order. */
        public List<String> primeKeys() {
            return List.of(meta(), stock(), buyers(), reservations(), waitlist(), promoted(), voided());
        }

        /** KEYS of bucket_reserve.lua, in order. */
        public List<String> reserveKeys() {
            return List.of(meta(), stock(), buyers(), reservations(), voided());
        }

        /** KEYS of confirm.lua, in order. */
        public List<String> confirmKeys() {
            return List.of(reservations(), meta());
        }

        /** KEYS of bucket_register.lua, in order (the buyer's home bucket). */
        public List<String> registerKeys() {
            return List.of(buyers(), meta());
        }

        /** KEYS of bucket_release.lua, in order. */
        public List<String> releaseKeys() {
            return List.of(reservations(), stock(), meta());
        }

        /** KEYS of bucket_hand_over.lua, in order. */
        public List<String> handOverKeys() {
            return List.of(meta(), reservations(), voided());
        }

        /** KEYS of sale_counters.lua, in order. */
        public List<String> counterKeys() {
            return List.of(meta(), stock(), reservations(), waitlist());
        }
    }
}
