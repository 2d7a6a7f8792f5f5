package io.flashsale.sale;

import io.flashsale.common.OrderIds;
import io.flashsale.sale.StockReservations.Counters;
import io.flashsale.sale.StockReservations.Outcome;
import io.flashsale.sale.StockReservations.Release;
import io.flashsale.sale.StockReservations.Reservation;
import io.flashsale.sale.StockReservations.Resolution;
import io.flashsale.sale.lua.BucketHandOverScript;
import io.flashsale.sale.lua.BucketRegisterScript;
import io.flashsale.sale.lua.BucketReleaseScript;
import io.flashsale.sale.lua.BucketReserveScript;
import io.flashsale.sale.lua.BucketUnregisterScript;
import io.flashsale.sale.lua.ConfirmScript;
import io.flashsale.sale.lua.JoinWaitlistScript;
import io.flashsale.sale.lua.PromoteWaiterScript;
import io.flashsale.sale.lua.ResolveReservationScript;
import io.flashsale.sale.lua.SaleCountersScript;
import io.flashsale.sale.lua.StockLevelScript;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The stock of a sale created with buckets &gt; 1 (see {@link SaleKeys}): each step is one Lua
 * script on one bucket's shard, and the steps are ordered so that a crash between two of them
 * never sells a unit twice nor loses one (what is left behind is a reservation without an order,
 * which the reconciler frees after the grace period).
 * <ul>
 * <li>Purchase: the buyer's home bucket first (registry and stock in one step, as purchase.lua);
 * when it is empty, the other buckets in a fixed order (home+1, home+2, ...): a unit taken there is
 * recorded as that bucket's reservation, then the buyer is registered in the home bucket, and the
 * unit given back if the registry refuses (a concurrent purchase of the same buyer won).</li>
 * <li>Release: the reservation is found in the bucket it came from; the buyer's registry entry
 * (and promotion) is dropped first; if buyers wait, the unit is handed to the waitlist's head in
 * that bucket without going back on open sale (so no open-sale buyer can take it first, and the
 * sale does not flap available/soldout); otherwise it goes back to that bucket's stock.</li>
 * <li>Sold out: a bucket that empties (or refills) reports it to the hub, which publishes
 * "soldout" once when every bucket is empty and "available" once when one refills.</li>
 * </ul>
 */
final class StockBuckets {

    private static final Logger LOG = Logger.getLogger(StockBuckets.class);
    /** Waitlist heads tried per freed unit (a head that left or already bought is skipped). */
    private static final int PROMOTION_ATTEMPTS = 5;

    /** One bucket_reserve.lua call's reply, with the bucket it ran on. */
    record ReserveStep(int bucket, BucketReserveScript.Result result) {

        BucketReserveScript.Code code() {
            return result.code();
        }

        boolean replicated() {
            return result.replicated();
        }
    }

    /** Where a reservation lives: its bucket and its entry. */
    record Located(int bucket, ReservationEntry entry) {
    }

    private final ReactiveRedisDataSource redis;
    private final String channel;
    private final int replicaAcks;
    private final long replicaAckTimeoutMs;

    StockBuckets(ReactiveRedisDataSource redis, String channel, int replicaAcks, long replicaAckTimeoutMs) {
        this.redis = redis;
        this.channel = channel;
        this.replicaAcks = replicaAcks;
        this.replicaAckTimeoutMs = replicaAckTimeoutMs;
    }

    // ---- purchase

    Uni<Reservation> reserve(SaleKeys keys, String userId, long orderId, boolean joinWaitlist, int waitlistCapacity) {
        int home = keys.home(userId);
        return reserveIn(keys, home, new BucketReserveScript.Args(userId, orderId, true)).flatMap(step -> switch (step.code()) {
            case RESERVED -> reported(keys, step).replaceWith(reserved(step, step.replicated()));
            case BUCKET_EMPTY -> fallback(keys, home, 1, userId, orderId, joinWaitlist, waitlistCapacity);
            default -> Uni.createFrom().item(refusal(step));
        });
    }

    /** The home bucket is empty: the next bucket in the fixed order (home+i mod N). */
    private Uni<Reservation> fallback(SaleKeys keys, int home, int i, String userId, long orderId,
            boolean joinWaitlist, int waitlistCapacity) {
        if (i >= keys.buckets()) {
            return soldOut(keys, userId, joinWaitlist, waitlistCapacity);
        }
        int source = (home + i) % keys.buckets();
        return reserveIn(keys, source, new BucketReserveScript.Args(userId, orderId, false)).flatMap(step -> switch (step.code()) {
            case RESERVED -> reported(keys, step).replaceWith(register(keys, home, userId, orderId))
                    .flatMap(registered -> registered.code() == BucketRegisterScript.Code.REGISTERED
                            ? Uni.createFrom().item(reserved(step, step.replicated() && registered.replicated()))
                            // a concurrent purchase of this buyer registered first: the unit goes back
                            : giveBack(keys, source, orderId).replaceWith(
                                    Reservation.alreadyPurchased(registered.existingOrderId())));
            case BUCKET_EMPTY -> fallback(keys, home, i + 1, userId, orderId, joinWaitlist, waitlistCapacity);
            default -> Uni.createFrom().item(refusal(step));
        });
    }

    private Uni<Reservation> soldOut(SaleKeys keys, String userId, boolean joinWaitlist, int waitlistCapacity) {
        if (!joinWaitlist) {
            return Uni.createFrom().item(Reservation.refused(Outcome.SOLD_OUT));
        }
        return JoinWaitlistScript.run(redis, keys, new JoinWaitlistScript.Args(userId, waitlistCapacity))
                .map(r -> switch (r.code()) {
                    case WAITLISTED -> Reservation.waitlisted(r.waitlistPosition(), r.waitlistLength());
                    case WAITLIST_FULL -> Reservation.refused(Outcome.WAITLIST_FULL);
                });
    }

    private static Reservation reserved(ReserveStep step, boolean replicated) {
        return Reservation.reserved(step.result().generation(), replicated, step.bucket());
    }

    private static Reservation refusal(ReserveStep step) {
        Outcome outcome = switch (step.code()) {
            case NOT_PRIMED -> Outcome.NOT_PRIMED;
            case NOT_STARTED -> Outcome.NOT_STARTED;
            case ENDED -> Outcome.ENDED;
            case ALREADY_PURCHASED -> Outcome.ALREADY_PURCHASED;
            case ORDER_ID_TAKEN -> Outcome.ORDER_ID_TAKEN;
            case BUCKET_EMPTY -> Outcome.SOLD_OUT;
            case RESERVED -> throw new IllegalStateException("not a refusal");
        };
        return outcome == Outcome.ALREADY_PURCHASED ? Reservation.alreadyPurchased(step.result().existingOrderId())
                : Reservation.refused(outcome);
    }

    private Uni<ReserveStep> reserveIn(SaleKeys keys, int bucket, BucketReserveScript.Args args) {
        return BucketReserveScript.run(redis, keys.bucket(bucket), args, replicaAcks, replicaAckTimeoutMs)
                .map(result -> new ReserveStep(bucket, result));
    }

    private Uni<BucketRegisterScript.Result> register(SaleKeys keys, int home, String userId, long orderId) {
        return BucketRegisterScript.run(redis, keys.bucket(home), new BucketRegisterScript.Args(userId, orderId),
                replicaAcks, replicaAckTimeoutMs);
    }

    /** A drained bucket tells the hub; a failed report only delays the broadcast (the reconciler resyncs). */
    private Uni<Void> reported(SaleKeys keys, ReserveStep step) {
        Long flips = step.result().flips();
        if (flips == null) {
            return Uni.createFrom().voidItem();
        }
        return level(keys, step.bucket(), flips, true);
    }

    Uni<Void> level(SaleKeys keys, int bucket, long flips, boolean empty) {
        return StockLevelScript.run(redis, keys,
                        new StockLevelScript.Args(bucket, flips, empty, keys.buckets(), keys.saleId(), channel))
                .onFailure().invoke(e -> LOG.warnf("stock level of bucket %d of sale %d not reported (%s);"
                        + " the reconciler will", bucket, keys.saleId(), e.toString()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /** The unit of a reservation goes back to its bucket (gated by the entry); 1 when it did. */
    private Uni<Integer> giveBack(SaleKeys keys, int bucket, long orderId) {
        return releaseIn(keys, bucket, orderId).map(released -> released.released() ? 1 : 0);
    }

    /** bucket_release.lua, and the hub told when the bucket went 0 -> 1. */
    private Uni<BucketReleaseScript.Result> releaseIn(SaleKeys keys, int bucket, long orderId) {
        return BucketReleaseScript.run(redis, keys.bucket(bucket), new BucketReleaseScript.Args(orderId), replicaAcks,
                        replicaAckTimeoutMs)
                .flatMap(r -> r.flips() == null ? Uni.createFrom().item(r)
                        : level(keys, bucket, r.flips(), false).replaceWith(r));
    }

    // ---- a lost reply

    /**
     * After a purchase whose reply was lost: the unit may have been reserved in any bucket. Every
     * bucket is asked (voiding the id where it is not reserved, so a call still in flight can no
     * longer reserve under it). A unit found outside the home bucket is registered (idempotent) or,
     * if the registry refuses, given back.
     */
    Uni<Resolution> resolve(SaleKeys keys, String userId, long orderId) {
        List<Uni<Resolution>> perBucket = new ArrayList<>();
        for (int b = 0; b < keys.buckets(); b++) {
            int bucket = b;
            perBucket.add(ResolveReservationScript.run(redis, keys.bucket(b),
                            new ResolveReservationScript.Args(orderId), replicaAcks, replicaAckTimeoutMs)
                    .map(r -> new Resolution(r.reserved(), r.generation(), r.replicated(), bucket)));
        }
        return Uni.join().all(perBucket).andFailFast().flatMap(all -> {
            boolean replicated = all.stream().allMatch(Resolution::replicated);
            Optional<Resolution> found = all.stream().filter(Resolution::reserved).findFirst();
            if (found.isEmpty()) {
                return Uni.createFrom().item(new Resolution(false, 0, replicated, 0));
            }
            Resolution reserved = found.get();
            int home = keys.home(userId);
            if (reserved.bucket() == home) {
                return Uni.createFrom().item(new Resolution(true, reserved.generation(), replicated, home));
            }
            return register(keys, home, userId, orderId).flatMap(registered -> registered.code() == BucketRegisterScript.Code.REGISTERED
                    ? Uni.createFrom().item(new Resolution(true, reserved.generation(),
                            replicated && registered.replicated(), reserved.bucket()))
                    : giveBack(keys, reserved.bucket(), orderId)
                            .replaceWith(new Resolution(false, 0, replicated, reserved.bucket())));
        });
    }

    // ---- release, promotion, confirmation

    /**
     * The bucket holding an order's reservation, if any: the bucket the order row recorded is asked
     * first ({@code bucketHint}, -1 when unknown), and only if the reservation is not there (or no
     * hint was given) every bucket at once. An expiry storm on an N-bucket sale thus costs one
     * lookup per release, not N.
     */
    Uni<Optional<Located>> locate(SaleKeys keys, long orderId, int bucketHint) {
        if (bucketHint < 0 || bucketHint >= keys.buckets()) {
            return locate(keys, orderId);
        }
        return redis.hash(String.class).hget(keys.bucket(bucketHint).reservations(), Long.toString(orderId))
                .flatMap(value -> {
                    ReservationEntry entry = ReservationEntry.parse(value);
                    return entry != null ? Uni.createFrom().item(Optional.of(new Located(bucketHint, entry)))
                            : locate(keys, orderId);
                });
    }

    /** The bucket holding an order's reservation, if any (every bucket asked at once). */
    Uni<Optional<Located>> locate(SaleKeys keys, long orderId) {
        List<Uni<Optional<Located>>> lookups = new ArrayList<>();
        for (int b = 0; b < keys.buckets(); b++) {
            int bucket = b;
            lookups.add(redis.hash(String.class).hget(keys.bucket(b).reservations(), Long.toString(orderId))
                    .map(value -> Optional.ofNullable(ReservationEntry.parse(value))
                            .map(entry -> new Located(bucket, entry))));
        }
        return Uni.join().all(lookups).andFailFast()
                .map(found -> found.stream().flatMap(Optional::stream).findFirst());
    }

    /**
     * Frees the unit of an order that will not be paid: the buyer's registry entry and promotion
     * are dropped first (if they still point at this order); then, if buyers wait, the unit is
     * handed to the waitlist's head in the bucket it came from, under {@code promotedOrderId},
     * without ever going back on open sale; otherwise it goes back to that bucket's stock.
     */
    Uni<Release> release(SaleKeys keys, long orderId, int bucketHint, long promotedOrderId) {
        return locate(keys, orderId, bucketHint).flatMap(found -> {
            if (found.isEmpty()) {
                return Uni.createFrom().item(nothingReleased());
            }
            Located located = found.get();
            return unregister(keys, located.entry().userId(), orderId)
                    .flatMap(ignored -> handOver(keys, located.bucket(), orderId, promotedOrderId,
                            PROMOTION_ATTEMPTS));
        });
    }

    /** Drops the buyer's registry entry (home bucket) and promotion (hub) that point at this order. */
    Uni<Void> unregister(SaleKeys keys, String userId, long orderId) {
        BucketUnregisterScript.Args args = new BucketUnregisterScript.Args(userId, orderId);
        return BucketUnregisterScript.run(redis, keys.bucket(keys.home(userId)).buyers(), args, replicaAcks,
                        replicaAckTimeoutMs)
                .flatMap(ignored -> BucketUnregisterScript.run(redis, keys.promoted(), args, replicaAcks,
                        replicaAckTimeoutMs))
                .replaceWithVoid();
    }

    /**
     * The unit reserved under {@code heldOrderId} in {@code bucket} goes to the waitlist's head:
     * the reservation is re-keyed to {@code newOrderId} for them (bucket_hand_over.lua), they are
     * registered in their home bucket, and only then taken off the waitlist with the promotion
     * recorded (promote_waiter.lua). A head who already holds an order is dropped from the
     * waitlist, one who left meanwhile is unregistered again; either way the unit, still
     * reserved, is handed to the next head. With nobody waiting (or after a few heads that could
     * not take it), the unit goes back to the bucket's stock. A crash in between leaves a
     * reservation without an order: the reconciler frees it, or completes a recorded promotion.
     */
    private Uni<Release> handOver(SaleKeys keys, int bucket, long heldOrderId, long newOrderId, int attempts) {
        if (attempts == 0) {
            return toOpenSale(keys, bucket, heldOrderId);
        }
        return redis.sortedSet(String.class).zrange(keys.waitlist(), 0, 0).flatMap(head -> {
            if (head.isEmpty()) {
                return toOpenSale(keys, bucket, heldOrderId);
            }
            String candidate = head.get(0);
            return BucketHandOverScript.run(redis, keys.bucket(bucket),
                            new BucketHandOverScript.Args(heldOrderId, newOrderId, candidate), replicaAcks,
                            replicaAckTimeoutMs)
                    .flatMap(moved -> switch (moved.code()) {
                        case HANDED_OVER -> register(keys, keys.home(candidate), candidate, newOrderId)
                                .flatMap(registered -> registered.code() == BucketRegisterScript.Code.REGISTERED
                                        ? promote(keys, bucket, candidate, newOrderId, moved.generation(),
                                                moved.replicated() && registered.replicated(), attempts)
                                        // the head already holds an order: off the waitlist, the unit to the next
                                        : redis.sortedSet(String.class).zrem(keys.waitlist(), candidate)
                                                .replaceWith(handOver(keys, bucket, newOrderId, OrderIds.next(),
                                                        attempts - 1)));
                        case ORDER_ID_TAKEN -> handOver(keys, bucket, heldOrderId, OrderIds.next(), attempts - 1);
                        case ENDED, NOT_PRIMED -> toOpenSale(keys, bucket, heldOrderId);
                        case NOTHING_HELD -> Uni.createFrom().item(nothingReleased()); // freed by another caller
                    });
        });
    }

    /** The head holds the unit and is registered: off the waitlist, promotion recorded (hub). */
    private Uni<Release> promote(SaleKeys keys, int bucket, String candidate, long orderId, long generation,
            boolean replicated, int attempts) {
        return PromoteWaiterScript.run(redis, keys,
                        new PromoteWaiterScript.Args(candidate, orderId, keys.saleId(), channel), replicaAcks,
                        replicaAckTimeoutMs)
                .flatMap(promoted -> promoted.code() == PromoteWaiterScript.Code.PROMOTED
                        ? Uni.createFrom().item(new Release(Release.Freed.TO_WAITER, candidate, orderId, generation,
                                replicated && promoted.replicated(), bucket))
                        // the head left the waitlist meanwhile: their registry entry goes, the unit to the next
                        : unregister(keys, candidate, orderId).replaceWith(
                                handOver(keys, bucket, orderId, OrderIds.next(), attempts - 1)));
    }

    /** Nobody (eligible) waits: the unit goes back to the stock of the bucket it came from. */
    private Uni<Release> toOpenSale(SaleKeys keys, int bucket, long orderId) {
        return releaseIn(keys, bucket, orderId).map(r -> new Release(
                r.released() ? Release.Freed.TO_OPEN_SALE : Release.Freed.NOTHING, "", 0, 0, r.replicated(), bucket));
    }

    private static Release nothingReleased() {
        return new Release(Release.Freed.NOTHING, "", 0, 0);
    }

    /** Payment made the unit the buyer's for good: its bucket stops watching it (confirm.lua). */
    Uni<Void> confirm(SaleKeys keys, long orderId, int bucketHint) {
        return locate(keys, orderId, bucketHint).flatMap(found -> found.isEmpty() ? Uni.createFrom().voidItem()
                : confirmIn(keys, found.get().bucket(), orderId));
    }

    Uni<Void> confirmIn(SaleKeys keys, int bucket, long orderId) {
        SaleKeys.Bucket b = keys.bucket(bucket);
        return ConfirmScript.run(redis, b, new ConfirmScript.Args(orderId)).replaceWithVoid();
    }

    /** The sale page's figures: every bucket's, summed (the waitlist is only in bucket 0). */
    Uni<Counters> counters(SaleKeys keys) {
        List<Uni<SaleCountersScript.Result>> perBucket = new ArrayList<>();
        for (int b = 0; b < keys.buckets(); b++) {
            perBucket.add(SaleCountersScript.run(redis, keys.bucket(b)));
        }
        return Uni.join().all(perBucket).andFailFast().map(replies -> {
            boolean primed = true;
            long available = 0;
            long reserved = 0;
            long paid = 0;
            long waiting = 0;
            for (SaleCountersScript.Result r : replies) {
                primed &= r.primed();
                available += r.available();
                reserved += r.reserved();
                paid += r.paid();
                waiting += r.waitlistLength();
            }
            return new Counters(primed, available, reserved, paid, waiting);
        });
    }

    /**
     * Tells the hub every bucket's current level (the reconciler, a rebuild): repairs a level
     * report lost with a crash between a bucket's step and the hub's.
     */
    Uni<Void> resyncLevels(SaleKeys keys) {
        List<Uni<Void>> reports = new ArrayList<>();
        for (int b = 0; b < keys.buckets(); b++) {
            int bucket = b;
            SaleKeys.Bucket k = keys.bucket(b);
            // every bucket starts with stock and its flips alternate empty / refilled, so an odd
            // count means empty: one read, no race between reading the stock and the counter
            reports.add(redis.hash(String.class).hmget(k.meta(), "startsAtMs", "flips")
                    .flatMap(meta -> {
                        if (meta.get("startsAtMs") == null) {
                            return Uni.createFrom().voidItem(); // bucket not primed: the rebuild's job
                        }
                        long flips = meta.get("flips") == null ? 0 : Long.parseLong(meta.get("flips"));
                        return level(keys, bucket, flips, flips % 2 == 1);
                    }));
        }
        return Uni.join().all(reports).andFailFast().replaceWithVoid();
    }
}
