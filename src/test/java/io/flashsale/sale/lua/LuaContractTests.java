package io.flashsale.sale.lua;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flashsale.common.OrderIds;
import io.flashsale.sale.ReservationEntry;
import io.flashsale.sale.SaleKeys;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The Lua <-> Java contract, per script: each script runs on the real Redis (keys from SaleKeys,
 * ARGV from the script's Args record) and reaches each of its return codes, which the Java enum
 * must name; and the codes a script can return (its {@code return {N, ...}} statements) are
 * exactly the enum's. The sale ids are random and never in the database: no timer of the app
 * touches these keys.
 */
@QuarkusTest
class LuaContractTests {

    static final Duration WAIT = Duration.ofSeconds(5);
    static final String CHANNEL = "fs-lua-contract:sale-events";

    @Inject
    ReactiveRedisDataSource redis;

    @Inject
    RedisDataSource blocking;

    // ---- purchase.lua

    @Test
    void purchaseReachesEveryCode() {
        SaleKeys keys = freshSale(2, 7);
        long first = OrderIds.next();

        PurchaseScript.Result reserved = purchase(keys, "ana", first, false, 0);
        assertEquals(PurchaseScript.Code.RESERVED, reserved.code());
        assertEquals(1, reserved.remainingStock());
        assertEquals(7, reserved.generation());
        assertTrue(reserved.replicated());
        ReservationEntry entry = ReservationEntry.parse(
                blocking.hash(String.class).hget(keys.reservations(), Long.toString(first)));
        assertNotNull(entry);
        assertEquals("ana", entry.userId());

        assertEquals(PurchaseScript.Code.ORDER_ID_TAKEN, purchase(keys, "bob", first, false, 0).code());

        PurchaseScript.Result duplicate = purchase(keys, "ana", OrderIds.next(), false, 0);
        assertEquals(PurchaseScript.Code.ALREADY_PURCHASED, duplicate.code());
        assertEquals(first, duplicate.existingOrderId());

        assertEquals(PurchaseScript.Code.RESERVED, purchase(keys, "bob", OrderIds.next(), false, 0).code());
        assertEquals(PurchaseScript.Code.SOLD_OUT, purchase(keys, "cy", OrderIds.next(), false, 1).code());

        PurchaseScript.Result waiting = purchase(keys, "cy", OrderIds.next(), true, 1);
        assertEquals(PurchaseScript.Code.WAITLISTED, waiting.code());
        assertEquals(1, waiting.waitlistPosition());
        assertEquals(1, waiting.waitlistLength());

        assertEquals(PurchaseScript.Code.WAITLIST_FULL, purchase(keys, "dee", OrderIds.next(), true, 1).code());
    }

    @Test
    void purchaseOutsideTheWindowOrUnprimedIsRefused() {
        SaleKeys unprimed = new SaleKeys(randomSaleId());
        assertEquals(PurchaseScript.Code.NOT_PRIMED, purchase(unprimed, "ana", OrderIds.next(), false, 0).code());

        long now = System.currentTimeMillis();
        SaleKeys later = primed(now + 3_600_000, now + 7_200_000, 5, 1);
        assertEquals(PurchaseScript.Code.NOT_STARTED, purchase(later, "ana", OrderIds.next(), false, 0).code());

        SaleKeys over = primed(now - 7_200_000, now - 3_600_000, 5, 1);
        assertEquals(PurchaseScript.Code.ENDED, purchase(over, "ana", OrderIds.next(), false, 0).code());
    }

    // ---- release_or_promote.lua

    @Test
    void releaseOrPromoteReachesEveryCode() {
        SaleKeys keys = freshSale(1, 3);
        long unknown = OrderIds.next();
        assertEquals(ReleaseOrPromoteScript.Code.NOTHING_TO_RELEASE, release(keys, unknown, OrderIds.next()).code());

        long anasOrder = OrderIds.next();
        assertEquals(PurchaseScript.Code.RESERVED, purchase(keys, "ana", anasOrder, false, 0).code());
        ReleaseOrPromoteScript.Result released = release(keys, anasOrder, OrderIds.next());
        assertEquals(ReleaseOrPromoteScript.Code.RELEASED, released.code());
        assertEquals(1, released.availableStock());
        // the reservation entry is the gate: a second release finds nothing
        assertEquals(ReleaseOrPromoteScript.Code.NOTHING_TO_RELEASE, release(keys, anasOrder, OrderIds.next()).code());

        long bobsOrder = OrderIds.next();
        assertEquals(PurchaseScript.Code.RESERVED, purchase(keys, "bob", bobsOrder, false, 0).code());
        assertEquals(PurchaseScript.Code.WAITLISTED, purchase(keys, "cy", OrderIds.next(), true, 10).code());
        long cysOrder = OrderIds.next();
        ReleaseOrPromoteScript.Result promoted = release(keys, bobsOrder, cysOrder);
        assertEquals(ReleaseOrPromoteScript.Code.PROMOTED, promoted.code());
        assertEquals("cy", promoted.promotedUserId());
        assertEquals(cysOrder, promoted.promotedOrderId());
        assertEquals(3, promoted.generation());
        assertEquals("cy", ReservationEntry.parse(
                blocking.hash(String.class).hget(keys.reservations(), Long.toString(cysOrder))).userId());
    }

    // ---- resolve_reservation.lua

    @Test
    void resolveReservationReachesEveryCode() {
        SaleKeys keys = freshSale(1, 4);
        long reservedOrder = OrderIds.next();
        assertEquals(PurchaseScript.Code.RESERVED, purchase(keys, "ana", reservedOrder, false, 0).code());

        ResolveReservationScript.Result found = resolve(keys, reservedOrder);
        assertEquals(ResolveReservationScript.Code.RESERVED, found.code());
        assertEquals("ana", found.reservation().userId());
        assertEquals(4, found.generation());

        long lostOrder = OrderIds.next();
        ResolveReservationScript.Result voided = resolve(keys, lostOrder);
        assertEquals(ResolveReservationScript.Code.NOT_RESERVED_NOW_VOID, voided.code());
        // the voided id can never reserve afterwards
        assertEquals(PurchaseScript.Code.ORDER_ID_TAKEN, purchase(keys, "bob", lostOrder, false, 0).code());
    }

    // ---- bucket_reserve.lua, bucket_register.lua, bucket_release.lua, bucket_unregister.lua

    @Test
    void bucketReserveReachesEveryCode() {
        SaleKeys keys = new SaleKeys(randomSaleId(), 2);
        long now = System.currentTimeMillis();
        SaleKeys.Bucket open = primed(keys.bucket(0), now - 3_600_000, now + 3_600_000, 1, 6);
        long first = OrderIds.next();

        BucketReserveScript.Result reserved = bucketReserve(open, "ana", first, true);
        assertEquals(BucketReserveScript.Code.RESERVED, reserved.code());
        assertEquals(0, reserved.remainingStock());
        assertEquals(6, reserved.generation());
        assertEquals(1L, reserved.flips()); // this call emptied the bucket
        assertEquals("ana", ReservationEntry.parse(
                blocking.hash(String.class).hget(open.reservations(), Long.toString(first))).userId());

        assertEquals(BucketReserveScript.Code.ORDER_ID_TAKEN, bucketReserve(open, "bob", first, false).code());
        BucketReserveScript.Result duplicate = bucketReserve(open, "ana", OrderIds.next(), true);
        assertEquals(BucketReserveScript.Code.ALREADY_PURCHASED, duplicate.code());
        assertEquals(first, duplicate.existingOrderId());
        assertEquals(BucketReserveScript.Code.BUCKET_EMPTY, bucketReserve(open, "bob", OrderIds.next(), true).code());

        assertEquals(BucketReserveScript.Code.NOT_PRIMED,
                bucketReserve(keys.bucket(1), "ana", OrderIds.next(), true).code());
        SaleKeys later = new SaleKeys(randomSaleId(), 2);
        primed(later.bucket(1), now + 3_600_000, now + 7_200_000, 1, 1);
        assertEquals(BucketReserveScript.Code.NOT_STARTED,
                bucketReserve(later.bucket(1), "ana", OrderIds.next(), true).code());
        SaleKeys over = new SaleKeys(randomSaleId(), 2);
        primed(over.bucket(1), now - 7_200_000, now - 3_600_000, 1, 1);
        assertEquals(BucketReserveScript.Code.ENDED,
                bucketReserve(over.bucket(1), "ana", OrderIds.next(), true).code());
    }

    @Test
    void bucketRegisterReleaseAndUnregisterReachEveryCode() {
        SaleKeys keys = new SaleKeys(randomSaleId(), 2);
        long now = System.currentTimeMillis();
        SaleKeys.Bucket home = primed(keys.bucket(0), now - 3_600_000, now + 3_600_000, 0, 2);
        SaleKeys.Bucket other = primed(keys.bucket(1), now - 3_600_000, now + 3_600_000, 1, 2);
        long order = OrderIds.next();
        assertEquals(BucketReserveScript.Code.RESERVED, bucketReserve(other, "ana", order, false).code());

        BucketRegisterScript.Result registered = BucketRegisterScript.run(redis, home,
                new BucketRegisterScript.Args("ana", order), 0, 0).await().atMost(WAIT);
        assertEquals(BucketRegisterScript.Code.REGISTERED, registered.code());
        BucketRegisterScript.Result refused = BucketRegisterScript.run(redis, home,
                new BucketRegisterScript.Args("ana", OrderIds.next()), 0, 0).await().atMost(WAIT);
        assertEquals(BucketRegisterScript.Code.ALREADY_PURCHASED, refused.code());
        assertEquals(order, refused.existingOrderId());

        assertEquals(BucketUnregisterScript.Code.LEFT_ALONE, unregister(home.buyers(), "ana", OrderIds.next()).code());
        assertEquals(BucketUnregisterScript.Code.REMOVED, unregister(home.buyers(), "ana", order).code());

        BucketReleaseScript.Result released = bucketRelease(other, order);
        assertEquals(BucketReleaseScript.Code.RELEASED, released.code());
        assertEquals(1, released.availableStock());
        assertEquals(2L, released.flips()); // emptied by the reserve (1), refilled now (2)
        assertEquals("ana", released.userId());
        assertEquals(BucketReleaseScript.Code.NOTHING_TO_RELEASE, bucketRelease(other, order).code());
    }

    @Test
    void bucketHandOverReachesEveryCode() {
        SaleKeys keys = new SaleKeys(randomSaleId(), 2);
        long now = System.currentTimeMillis();
        SaleKeys.Bucket bucket = primed(keys.bucket(1), now - 3_600_000, now + 3_600_000, 1, 4);
        long held = OrderIds.next();
        assertEquals(BucketReserveScript.Code.RESERVED, bucketReserve(bucket, "ana", held, false).code());

        long taken = OrderIds.next();
        assertEquals(BucketHandOverScript.Code.ORDER_ID_TAKEN, handOver(bucket, held, held, "bob").code());
        blocking.set(String.class).sadd(bucket.voided(), Long.toString(taken));
        blocking.key().expire(bucket.voided(), 3600);
        assertEquals(BucketHandOverScript.Code.ORDER_ID_TAKEN, handOver(bucket, held, taken, "bob").code());

        long promoted = OrderIds.next();
        BucketHandOverScript.Result moved = handOver(bucket, held, promoted, "bob");
        assertEquals(BucketHandOverScript.Code.HANDED_OVER, moved.code());
        assertEquals(4, moved.generation());
        assertEquals(null, blocking.hash(String.class).hget(bucket.reservations(), Long.toString(held)));
        assertEquals("bob", ReservationEntry.parse(
                blocking.hash(String.class).hget(bucket.reservations(), Long.toString(promoted))).userId());
        assertEquals("0", blocking.value(String.class).get(bucket.stock()), "the unit never went back on sale");
        assertEquals(BucketHandOverScript.Code.NOTHING_HELD, handOver(bucket, held, OrderIds.next(), "cy").code());

        assertEquals(BucketHandOverScript.Code.NOT_PRIMED,
                handOver(keys.bucket(0), promoted, OrderIds.next(), "cy").code());
        SaleKeys over = new SaleKeys(randomSaleId(), 2);
        SaleKeys.Bucket ended = primed(over.bucket(1), now - 7_200_000, now - 3_600_000, 1, 1);
        long late = OrderIds.next();
        blocking.hash(String.class).hset(ended.reservations(), Long.toString(late),
                new ReservationEntry("ana", now - 4_000_000).format());
        blocking.key().expire(ended.reservations(), 3600);
        assertEquals(BucketHandOverScript.Code.ENDED, handOver(ended, late, OrderIds.next(), "bob").code());
    }

    // ---- prime_sale.lua, confirm.lua

    @Test
    void primeSaleReachesEveryCode() {
        SaleKeys.Bucket keys = new SaleKeys(randomSaleId()).bucket(0);
        long now = System.currentTimeMillis();
        PrimeSaleScript.Args args = new PrimeSaleScript.Args(now - 1000, now + 3_600_000, 990, 5, null,
                now / 1000 + 3600, 5, true, 3, 0, false);
        assertEquals(PrimeSaleScript.Code.STOCK_WRITTEN, PrimeSaleScript.run(redis, keys, args).await().atMost(WAIT));
        blocking.value(String.class).decr(keys.stock());
        PrimeSaleScript.Args rebuild = new PrimeSaleScript.Args(now - 1000, now + 3_600_000, 990, 5, 60,
                now / 1000 + 3600, 5, false, 4, 0, false);
        // a rebuild never resets stock that purchases have decremented
        assertEquals(PrimeSaleScript.Code.STOCK_KEPT, PrimeSaleScript.run(redis, keys, rebuild).await().atMost(WAIT));
        assertEquals("4", blocking.value(String.class).get(keys.stock()));
        assertEquals("4", blocking.hash(String.class).hget(keys.meta(), "gen"));
        assertEquals("60", blocking.hash(String.class).hget(keys.meta(), "paymentTimeoutSeconds"));
    }

    @Test
    void confirmReachesEveryCode() {
        SaleKeys keys = freshSale(1, 1);
        long order = OrderIds.next();
        assertEquals(PurchaseScript.Code.RESERVED, purchase(keys, "ana", order, false, 0).code());
        assertEquals(ConfirmScript.Code.CONFIRMED,
                ConfirmScript.run(redis, keys.bucket(0), new ConfirmScript.Args(order)).await().atMost(WAIT));
        assertEquals("1", blocking.hash(String.class).hget(keys.meta(), "paid"));
        assertEquals(ConfirmScript.Code.NOTHING_TO_CONFIRM,
                ConfirmScript.run(redis, keys.bucket(0), new ConfirmScript.Args(order)).await().atMost(WAIT));
        assertEquals("1", blocking.hash(String.class).hget(keys.meta(), "paid"));
    }

    // ---- join_waitlist.lua, promote_waiter.lua, stock_level.lua, sale_counters.lua (hub of a bucketed sale)

    @Test
    void joinWaitlistAndPromoteWaiterReachEveryCode() {
        SaleKeys keys = new SaleKeys(randomSaleId(), 2);
        JoinWaitlistScript.Result joined = JoinWaitlistScript.run(redis, keys, new JoinWaitlistScript.Args("ana", 1))
                .await().atMost(WAIT);
        assertEquals(JoinWaitlistScript.Code.WAITLISTED, joined.code());
        assertEquals(1, joined.waitlistPosition());
        assertEquals(1, joined.waitlistLength());
        assertEquals(JoinWaitlistScript.Code.WAITLIST_FULL,
                JoinWaitlistScript.run(redis, keys, new JoinWaitlistScript.Args("bob", 1)).await().atMost(WAIT).code());

        long order = OrderIds.next();
        assertEquals(PromoteWaiterScript.Code.NO_LONGER_WAITING, PromoteWaiterScript.run(redis, keys,
                new PromoteWaiterScript.Args("bob", order, keys.saleId(), CHANNEL), 0, 0).await().atMost(WAIT).code());
        assertEquals(PromoteWaiterScript.Code.PROMOTED, PromoteWaiterScript.run(redis, keys,
                new PromoteWaiterScript.Args("ana", order, keys.saleId(), CHANNEL), 0, 0).await().atMost(WAIT).code());
        assertEquals(Long.toString(order), blocking.hash(String.class).hget(keys.promoted(), "ana"));
    }

    @Test
    void stockLevelReachesEveryCode() {
        SaleKeys keys = new SaleKeys(randomSaleId(), 2);
        assertEquals(StockLevelScript.Code.RECORDED, level(keys, 0, 1, true));
        assertEquals(StockLevelScript.Code.STALE_REPORT_IGNORED, level(keys, 0, 1, true));
        assertEquals(StockLevelScript.Code.PUBLISHED_SOLD_OUT, level(keys, 1, 1, true));
        assertEquals(StockLevelScript.Code.PUBLISHED_AVAILABLE, level(keys, 1, 2, false));
    }

    @Test
    void saleCountersNamesEachFigure() {
        SaleKeys unknown = new SaleKeys(randomSaleId());
        assertEquals(false, SaleCountersScript.run(redis, unknown.bucket(0)).await().atMost(WAIT).primed());
        // every figure different, so a swapped slot shows
        SaleKeys keys = freshSale(6, 1);
        long order = OrderIds.next();
        assertEquals(PurchaseScript.Code.RESERVED, purchase(keys, "ana", order, false, 0).code());
        assertEquals(PurchaseScript.Code.RESERVED, purchase(keys, "bob", OrderIds.next(), false, 0).code());
        assertEquals(PurchaseScript.Code.RESERVED, purchase(keys, "cy", OrderIds.next(), false, 0).code());
        ConfirmScript.run(redis, keys.bucket(0), new ConfirmScript.Args(order)).await().atMost(WAIT);
        for (String waiter : List.of("w1", "w2", "w3", "w4")) {
            blocking.sortedSet(String.class).zadd(keys.waitlist(), 1, waiter);
        }
        assertEquals(new SaleCountersScript.Result(true, 3, 2, 1, 4),
                SaleCountersScript.run(redis, keys.bucket(0)).await().atMost(WAIT));
    }

    StockLevelScript.Code level(SaleKeys keys, int bucket, long flips, boolean empty) {
        return StockLevelScript.run(redis, keys,
                new StockLevelScript.Args(bucket, flips, empty, keys.buckets(), keys.saleId(), CHANNEL))
                .await().atMost(WAIT);
    }

    // ---- claim_idempotency_key.lua, waitlist_status.lua, leave_waitlist.lua

    @Test
    void claimIdempotencyKeyReachesEveryCode() {
        SaleKeys keys = new SaleKeys(randomSaleId());
        ClaimIdempotencyKeyScript.Args first = new ClaimIdempotencyKeyScript.Args("k1", 10_000, 1, 60_000);
        assertEquals(ClaimIdempotencyKeyScript.Code.CLAIMED, claim(keys, "ana", first).code());
        ClaimIdempotencyKeyScript.Result again = claim(keys, "ana", first);
        assertEquals(ClaimIdempotencyKeyScript.Code.CLAIMED_BEFORE, again.code());
        assertEquals("IN_PROGRESS", again.stored());
        assertEquals(ClaimIdempotencyKeyScript.Code.TOO_MANY_KEYS,
                claim(keys, "ana", new ClaimIdempotencyKeyScript.Args("k2", 10_000, 1, 60_000)).code());
    }

    @Test
    void waitlistStatusAndLeaveReachEveryCode() {
        SaleKeys keys = freshSale(1, 1);
        assertEquals(PurchaseScript.Code.RESERVED, purchase(keys, "ana", OrderIds.next(), false, 0).code());
        assertEquals(PurchaseScript.Code.WAITLISTED, purchase(keys, "bob", OrderIds.next(), true, 10).code());
        assertEquals(PurchaseScript.Code.WAITLISTED, purchase(keys, "cy", OrderIds.next(), true, 10).code());

        WaitlistStatusScript.Result waiting = WaitlistStatusScript.run(redis, keys, "cy").await().atMost(WAIT);
        assertEquals(WaitlistStatusScript.Code.WAITING, waiting.code());
        assertEquals(2, waiting.position());
        assertEquals(2, waiting.waitlistLength());
        assertEquals(WaitlistStatusScript.Code.NOT_WAITING,
                WaitlistStatusScript.run(redis, keys, "dee").await().atMost(WAIT).code());
        long promotedOrder = OrderIds.next();
        blocking.hash(String.class).hset(keys.promoted(), "ana", Long.toString(promotedOrder));
        WaitlistStatusScript.Result promoted = WaitlistStatusScript.run(redis, keys, "ana").await().atMost(WAIT);
        assertEquals(WaitlistStatusScript.Code.PROMOTED, promoted.code());
        assertEquals(promotedOrder, promoted.promotedOrderId());

        LeaveWaitlistScript.Args bobLeaves = new LeaveWaitlistScript.Args("bob", keys.saleId(), CHANNEL);
        assertEquals(LeaveWaitlistScript.Code.LEFT,
                LeaveWaitlistScript.run(redis, keys, bobLeaves).await().atMost(WAIT));
        assertEquals(LeaveWaitlistScript.Code.WAS_NOT_WAITING,
                LeaveWaitlistScript.run(redis, keys, bobLeaves).await().atMost(WAIT));
        assertEquals(1, WaitlistStatusScript.run(redis, keys, "cy").await().atMost(WAIT).position());
    }

    ClaimIdempotencyKeyScript.Result claim(SaleKeys keys, String userId, ClaimIdempotencyKeyScript.Args args) {
        return ClaimIdempotencyKeyScript.run(redis, keys, userId, args).await().atMost(WAIT);
    }

    // ---- every script's codes are its enum's

    @Test
    void eachScriptReturnsExactlyTheCodesItsEnumNames() {
        assertEquals(codesIn("purchase"), Arrays.stream(PurchaseScript.Code.values())
                .map(c -> c.value()).collect(Collectors.toCollection(TreeSet::new)));
        assertEquals(codesIn("release_or_promote"), Arrays.stream(ReleaseOrPromoteScript.Code.values())
                .map(c -> c.value()).collect(Collectors.toCollection(TreeSet::new)));
        assertEquals(codesIn("resolve_reservation"), Arrays.stream(ResolveReservationScript.Code.values())
                .map(c -> c.value()).collect(Collectors.toCollection(TreeSet::new)));
        assertEquals(codesIn("bucket_reserve"), Arrays.stream(BucketReserveScript.Code.values())
                .map(c -> c.value()).collect(Collectors.toCollection(TreeSet::new)));
        assertEquals(codesIn("bucket_register"), Arrays.stream(BucketRegisterScript.Code.values())
                .map(c -> c.value()).collect(Collectors.toCollection(TreeSet::new)));
        assertEquals(codesIn("bucket_release"), Arrays.stream(BucketReleaseScript.Code.values())
                .map(c -> c.value()).collect(Collectors.toCollection(TreeSet::new)));
        assertEquals(codesIn("bucket_hand_over"), Arrays.stream(BucketHandOverScript.Code.values())
                .map(c -> c.value()).collect(Collectors.toCollection(TreeSet::new)));
        assertEquals(codesIn("prime_sale"), Arrays.stream(PrimeSaleScript.Code.values())
                .map(c -> c.value()).collect(Collectors.toCollection(TreeSet::new)));
        assertEquals(codesIn("confirm"), Arrays.stream(ConfirmScript.Code.values())
                .map(c -> c.value()).collect(Collectors.toCollection(TreeSet::new)));
        assertEquals(codesIn("join_waitlist"), Arrays.stream(JoinWaitlistScript.Code.values())
                .map(c -> c.value()).collect(Collectors.toCollection(TreeSet::new)));
        assertEquals(codesIn("promote_waiter"), Arrays.stream(PromoteWaiterScript.Code.values())
                .map(c -> c.value()).collect(Collectors.toCollection(TreeSet::new)));
        assertEquals(codesIn("stock_level"), Arrays.stream(StockLevelScript.Code.values())
                .map(c -> c.value()).collect(Collectors.toCollection(TreeSet::new)));
        assertEquals(codesIn("claim_idempotency_key"), Arrays.stream(ClaimIdempotencyKeyScript.Code.values())
                .map(c -> c.value()).collect(Collectors.toCollection(TreeSet::new)));
        assertEquals(codesIn("waitlist_status"), Arrays.stream(WaitlistStatusScript.Code.values())
                .map(c -> c.value()).collect(Collectors.toCollection(TreeSet::new)));
        // leave_waitlist.lua returns ZREM's count (0 or 1), not a literal: reached by the test above
        assertEquals(codesIn("bucket_unregister"), Arrays.stream(BucketUnregisterScript.Code.values())
                .map(c -> c.value()).collect(Collectors.toCollection(TreeSet::new)));
    }

    /** The literal codes of a script's {@code return {N, ...}} (or bare {@code return N}) statements. */
    static Set<Integer> codesIn(String script) {
        String source = source(script);
        Matcher m = Pattern.compile("(?m)^\\s*return \\{?(-?\\d+)").matcher(source);
        Set<Integer> codes = new TreeSet<>();
        while (m.find()) {
            codes.add(Integer.parseInt(m.group(1)));
        }
        return codes;
    }

    static String source(String script) {
        try (InputStream in = Thread.currentThread().getContextClassLoader()
                .getResourceAsStream("lua/" + script + ".lua")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- helpers

    PurchaseScript.Result purchase(SaleKeys keys, String userId, long orderId, boolean joinWaitlist, int capacity) {
        return PurchaseScript.run(redis, keys,
                new PurchaseScript.Args(userId, orderId, keys.saleId(), CHANNEL, joinWaitlist, capacity), 0, 0)
                .await().atMost(WAIT);
    }

    ReleaseOrPromoteScript.Result release(SaleKeys keys, long orderId, long promotedOrderId) {
        return ReleaseOrPromoteScript.run(redis, keys,
                new ReleaseOrPromoteScript.Args(orderId, keys.saleId(), CHANNEL, promotedOrderId), 0, 0)
                .await().atMost(WAIT);
    }

    ResolveReservationScript.Result resolve(SaleKeys keys, long orderId) {
        return ResolveReservationScript.run(redis, keys.bucket(0), new ResolveReservationScript.Args(orderId), 0, 0)
                .await().atMost(WAIT);
    }

    BucketReserveScript.Result bucketReserve(SaleKeys.Bucket bucket, String userId, long orderId, boolean home) {
        return BucketReserveScript.run(redis, bucket, new BucketReserveScript.Args(userId, orderId, home), 0, 0)
                .await().atMost(WAIT);
    }

    BucketReleaseScript.Result bucketRelease(SaleKeys.Bucket bucket, long orderId) {
        return BucketReleaseScript.run(redis, bucket, new BucketReleaseScript.Args(orderId), 0, 0).await().atMost(WAIT);
    }

    BucketHandOverScript.Result handOver(SaleKeys.Bucket bucket, long heldOrderId, long newOrderId, String userId) {
        return BucketHandOverScript.run(redis, bucket, new BucketHandOverScript.Args(heldOrderId, newOrderId, userId),
                0, 0).await().atMost(WAIT);
    }

    BucketUnregisterScript.Result unregister(String hash, String userId, long orderId) {
        return BucketUnregisterScript.run(redis, hash, new BucketUnregisterScript.Args(userId, orderId), 0, 0)
                .await().atMost(WAIT);
    }

    /** An open sale (started an hour ago, ends in an hour) with this stock and rebuild generation. */
    SaleKeys freshSale(long stock, long generation) {
        long now = System.currentTimeMillis();
        return primed(now - 3_600_000, now + 3_600_000, stock, generation);
    }

    /** Meta and stock as prime_sale.lua leaves them, written directly so only the script under test runs. */
    SaleKeys primed(long startsAtMs, long endsAtMs, long stock, long generation) {
        SaleKeys keys = new SaleKeys(randomSaleId());
        primed(keys.bucket(0), startsAtMs, endsAtMs, stock, generation);
        return keys;
    }

    /** One bucket's meta and stock (as prime_sale.lua leaves them). */
    SaleKeys.Bucket primed(SaleKeys.Bucket keys, long startsAtMs, long endsAtMs, long stock, long generation) {
        long dropAtS = System.currentTimeMillis() / 1000 + 3600;
        blocking.hash(String.class).hset(keys.meta(), Map.of("startsAtMs", Long.toString(startsAtMs),
                "endsAtMs", Long.toString(endsAtMs), "gen", Long.toString(generation), "dropAtS",
                Long.toString(dropAtS)));
        blocking.value(String.class).set(keys.stock(), Long.toString(stock));
        blocking.key().expireat(keys.meta(), dropAtS);
        blocking.key().expireat(keys.stock(), dropAtS);
        return keys;
    }

    static long randomSaleId() {
        return 900_000_000L + ThreadLocalRandom.current().nextLong(100_000_000L);
    }
}
