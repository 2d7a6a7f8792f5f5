package io.flashsale.sale;

import io.flashsale.common.ReplicaAcks;
import io.flashsale.sale.lua.ConfirmScript;
import io.flashsale.sale.lua.PurchaseScript;
import io.flashsale.sale.lua.ReleaseOrPromoteScript;
import io.flashsale.sale.lua.ResolveReservationScript;
import io.flashsale.sale.lua.SaleCountersScript;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The live stock of a sale in Redis: reserve a unit (purchase.lua), settle a reservation whose
 * reply was lost (resolve_reservation.lua), confirm it, give it back (release_or_promote.lua).
 * A sale created with several stock buckets goes through {@link StockBuckets} instead (one
 * script per bucket and step); with one bucket everything is one script on {sale:ID}, as ever.
 */
@ApplicationScoped
public class StockReservations {


    /** What a reservation attempt came to (purchase.lua, or the bucket scripts of a bucketed sale). */
    public enum Outcome {
        RESERVED, NOT_PRIMED, NOT_STARTED, ENDED, ALREADY_PURCHASED, SOLD_OUT, WAITLISTED, WAITLIST_FULL,
        ORDER_ID_TAKEN;

        static Outcome of(PurchaseScript.Code code) {
            return switch (code) {
                case RESERVED -> RESERVED;
                case NOT_PRIMED -> NOT_PRIMED;
                case NOT_STARTED -> NOT_STARTED;
                case ENDED -> ENDED;
                case ALREADY_PURCHASED -> ALREADY_PURCHASED;
                case SOLD_OUT -> SOLD_OUT;
                case WAITLISTED -> WAITLISTED;
                case WAITLIST_FULL -> WAITLIST_FULL;
                case ORDER_ID_TAKEN -> ORDER_ID_TAKEN;
            };
        }
    }

    /**
     * What a reservation attempt came to; each figure is meaningful for one outcome only (0
     * otherwise). RESERVED: {@code generation}, the sale's rebuild generation the order is written
     * under, and {@code bucket}, where the unit was taken; {@code replicated}: the write reached the
     * replicas {@link ReplicaAcks} asks for (always true when it asks for none), a reservation that
     * did not must be given back, never sold. ALREADY_PURCHASED: {@code existingOrderId}.
     * WAITLISTED: {@code waitlistPosition} (1-based) and {@code waitlistLength}.
     */
    public record Reservation(Outcome outcome, long existingOrderId, long waitlistPosition, long waitlistLength,
            long generation, boolean replicated, int bucket) {

        public static Reservation reserved(long generation, boolean replicated, int bucket) {
            return new Reservation(Outcome.RESERVED, 0, 0, 0, generation, replicated, bucket);
        }

        public static Reservation alreadyPurchased(long existingOrderId) {
            return new Reservation(Outcome.ALREADY_PURCHASED, existingOrderId, 0, 0, 0, true, 0);
        }

        public static Reservation waitlisted(long position, long length) {
            return new Reservation(Outcome.WAITLISTED, 0, position, length, 0, true, 0);
        }

        /** Any other outcome: nothing reserved, nothing to name. */
        public static Reservation refused(Outcome outcome) {
            return new Reservation(outcome, 0, 0, 0, 0, true, 0);
        }
    }

    /**
     * What release_or_promote.lua did with a unit. {@code replicated}: as for a reservation; a
     * promotion no replica holds is not written as an order by the caller (the reconciler writes
     * it once it is sure to survive a failover, or finds it gone with the failed master).
     */
    public record Release(Freed freed, String userId, long newOrderId, long generation, boolean replicated,
            int bucket) {

        /** Where the unit went. {@code userId}, {@code newOrderId}, {@code generation}: the promoted waiter's. */
        public enum Freed {
            /** No reservation held it (already released, paid, or unknown). */
            NOTHING,
            /** Back on open sale. */
            TO_OPEN_SALE,
            /** Handed to the waitlist head under {@code newOrderId}. */
            TO_WAITER,
            /** Redis did not answer; the reconciler will free it. */
            NOT_YET
        }

        public Release(Freed freed, String userId, long newOrderId, long generation) {
            this(freed, userId, newOrderId, generation, true, 0);
        }

        public Release(Freed freed, String userId, long newOrderId, long generation, boolean replicated) {
            this(freed, userId, newOrderId, generation, replicated, 0);
        }

        public boolean promoted() {
            return freed == Freed.TO_WAITER;
        }

        public boolean released() {
            return freed == Freed.TO_OPEN_SALE;
        }
    }

    /**
     * Outcome of resolve_reservation.lua: reserved (with its generation), or voided for good.
     * {@code replicated} false: the node that answered may be a master on its way out (a master
     * that was cut off runs its queued scripts before it learns it was replaced), so a
     * reservation it reports is not to be sold. {@code bucket}: where the unit was reserved.
     */
    public record Resolution(boolean reserved, long generation, boolean replicated, int bucket) {

        public Resolution(boolean reserved, long generation, boolean replicated) {
            this(reserved, generation, replicated, 0);
        }
    }

    private final ReactiveRedisDataSource redis;
    private final String channel;
    private final int replicaAcks;
    private final long replicaAckTimeoutMs;
    private final SaleCatalog catalog;
    private final StockBuckets buckets;

    public StockReservations(ReactiveRedisDataSource redis, SaleConfig config, ReplicaAcks acks, SaleCatalog catalog) {
        this.redis = redis;
        this.channel = config.eventsChannel();
        this.replicaAcks = acks.replicaAcks();
        this.replicaAckTimeoutMs = acks.replicaAckTimeout().toMillis();
        this.catalog = catalog;
        this.buckets = new StockBuckets(redis, channel, replicaAcks, replicaAckTimeoutMs);
    }

    /** The keys of a sale, with its bucket count (from the cached definition; 1 for an unknown sale). */
    public Uni<SaleKeys> keysOf(long saleId) {
        return catalog.find(saleId).map(sale -> sale.map(SaleSnapshot::keys).orElseGet(() -> new SaleKeys(saleId)));
    }

    public Uni<Reservation> reserve(SaleSnapshot sale, String userId, long orderId, boolean joinWaitlist,
            int waitlistCapacity) {
        if (sale.buckets() > 1) {
            return buckets.reserve(sale.keys(), userId, orderId, joinWaitlist, waitlistCapacity);
        }
        return reserve(sale.id(), userId, orderId, joinWaitlist, waitlistCapacity);
    }

    public Uni<Reservation> reserve(long saleId, String userId, long orderId, boolean joinWaitlist,
            int waitlistCapacity) {
        return PurchaseScript.run(redis, new SaleKeys(saleId),
                        new PurchaseScript.Args(userId, orderId, saleId, channel, joinWaitlist, waitlistCapacity),
                        replicaAcks, replicaAckTimeoutMs)
                .map(r -> new Reservation(Outcome.of(r.code()), r.existingOrderId(), r.waitlistPosition(),
                        r.waitlistLength(), r.generation(), r.replicated(), 0));
    }

    /**
     * After a purchase.lua call whose answer never came: was the unit reserved? If not, the order
     * id is voided atomically, so the lost call can no longer reserve under it.
     */
    public Uni<Resolution> resolve(SaleSnapshot sale, String userId, long orderId) {
        if (sale.buckets() > 1) {
            return buckets.resolve(sale.keys(), userId, orderId);
        }
        return resolve(sale.id(), orderId);
    }

    public Uni<Resolution> resolve(long saleId, long orderId) {
        return ResolveReservationScript.run(redis, new SaleKeys(saleId).bucket(0),
                        new ResolveReservationScript.Args(orderId), replicaAcks, replicaAckTimeoutMs)
                .map(r -> new Resolution(r.reserved(), r.generation(), r.replicated()));
    }

    /**
     * Frees the unit of an order that will not be paid and hands it to the waitlist head if
     * anyone waits ({@code promotedOrderId} becomes their order id), else back on open sale.
     * {@code bucketHint}: the stock bucket the order row recorded (-1 when unknown); a sale with
     * buckets looks there first.
     */
    public Uni<Release> releaseOrPromote(long saleId, long orderId, int bucketHint, long promotedOrderId) {
        return keysOf(saleId).flatMap(keys -> keys.buckets() > 1
                ? buckets.release(keys, orderId, bucketHint, promotedOrderId)
                : releaseOrPromote(keys, orderId, promotedOrderId));
    }

    private Uni<Release> releaseOrPromote(SaleKeys keys, long orderId, long promotedOrderId) {
        return ReleaseOrPromoteScript.run(redis, keys,
                        new ReleaseOrPromoteScript.Args(orderId, keys.saleId(), channel, promotedOrderId),
                        replicaAcks, replicaAckTimeoutMs)
                .map(r -> switch (r.code()) {
                    case PROMOTED -> new Release(Release.Freed.TO_WAITER, r.promotedUserId(), r.promotedOrderId(),
                            r.generation(), r.replicated());
                    case RELEASED -> new Release(Release.Freed.TO_OPEN_SALE, "", 0, 0, r.replicated());
                    case NOTHING_TO_RELEASE -> new Release(Release.Freed.NOTHING, "", 0, 0, r.replicated());
                });
    }

    /** Payment made the unit the buyer's for good: the reservation no longer needs watching; counted as paid. */
    public Uni<Void> confirm(long saleId, long orderId, int bucketHint) {
        return keysOf(saleId).flatMap(keys -> keys.buckets() > 1 ? buckets.confirm(keys, orderId, bucketHint)
                : confirm(keys, orderId));
    }

    /** Confirms in one bucket, known to hold the reservation (the reconciler found it there). */
    public Uni<Void> confirm(SaleKeys keys, int bucket, long orderId) {
        return keys.buckets() > 1 ? buckets.confirmIn(keys, bucket, orderId) : confirm(keys, orderId);
    }

    private Uni<Void> confirm(SaleKeys keys, long orderId) {
        return ConfirmScript.run(redis, keys.bucket(0), new ConfirmScript.Args(orderId)).replaceWithVoid();
    }

    /** The sale page's live figures, in one round trip; {@code primed} false when Redis lost the sale. */
    public record Counters(boolean primed, long available, long reserved, long paid, long waitlistLength) {
    }

    public Uni<Counters> counters(long saleId, int bucketCount) {
        if (bucketCount > 1) {
            return buckets.counters(new SaleKeys(saleId, bucketCount));
        }
        return SaleCountersScript.run(redis, new SaleKeys(saleId).bucket(0))
                .map(r -> new Counters(r.primed(), r.available(), r.reserved(), r.paid(), r.waitlistLength()));
    }

    /** Drops a buyer's registry entry and promotion that still point at an order (sales with buckets). */
    public Uni<Void> unregister(SaleKeys keys, String userId, long orderId) {
        return keys.buckets() > 1 ? buckets.unregister(keys, userId, orderId) : Uni.createFrom().voidItem();
    }

    /** Tells a bucketed sale's hub every bucket's stock level again (reconciler, rebuild). */
    public Uni<Void> resyncLevels(SaleKeys keys) {
        return keys.buckets() > 1 ? buckets.resyncLevels(keys) : Uni.createFrom().voidItem();
    }
}
