package io.flashsale.sale;

import io.flashsale.common.LuaScript;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * The live stock of a sale in Redis: reserve a unit (purchase.lua), settle a reservation whose
 * reply was lost (resolve_reservation.lua), confirm it, give it back (release_or_promote.lua).
 */
@ApplicationScoped
public class StockReservations {

    private static final LuaScript PURCHASE = LuaScript.load("purchase");
    private static final LuaScript RESOLVE = LuaScript.load("resolve_reservation");
    private static final LuaScript RELEASE_OR_PROMOTE = LuaScript.load("release_or_promote");
    private static final LuaScript CONFIRM = LuaScript.load("confirm");
    private static final LuaScript COUNTERS = LuaScript.load("sale_counters");

    /** Result codes of purchase.lua. */
    public enum Outcome {
        RESERVED, NOT_PRIMED, NOT_STARTED, ENDED, ALREADY_PURCHASED, SOLD_OUT, WAITLISTED, WAITLIST_FULL,
        ORDER_ID_TAKEN;

        static Outcome of(int code) {
            return switch (code) {
                case 1 -> RESERVED;
                case -1 -> NOT_PRIMED;
                case -2 -> NOT_STARTED;
                case -3 -> ENDED;
                case -4 -> ALREADY_PURCHASED;
                case -5 -> SOLD_OUT;
                case -6 -> WAITLISTED;
                case -7 -> WAITLIST_FULL;
                case -8 -> ORDER_ID_TAKEN;
                default -> throw new IllegalStateException("purchase.lua returned unknown code " + code);
            };
        }
    }

    /**
     * {@code detail}: the remaining stock when reserved, the existing order id when a duplicate,
     * the 1-based position when waitlisted ({@code length} then holds the waitlist length).
     * {@code generation}: the sale's rebuild generation a reserved order is written under.
     */
    public record Reservation(Outcome outcome, String detail, long length, long generation) {
    }

    /** What release_or_promote.lua did with a unit. */
    public record Release(int code, String userId, long newOrderId, long generation) {

        public boolean promoted() {
            return code == 2;
        }

        public boolean released() {
            return code == 1;
        }
    }

    /** Outcome of resolve_reservation.lua: reserved (with its generation), or voided for good. */
    public record Resolution(boolean reserved, long generation) {
    }

    private final ReactiveRedisDataSource redis;
    private final String channel;

    public StockReservations(ReactiveRedisDataSource redis, SaleConfig config) {
        this.redis = redis;
        this.channel = config.eventsChannel();
    }

    public Uni<Reservation> reserve(long saleId, String userId, long orderId, boolean joinWaitlist,
            int waitlistCapacity) {
        SaleKeys keys = new SaleKeys(saleId);
        return PURCHASE.run(redis, keys.purchaseKeys(),
                        List.of(userId, Long.toString(orderId), Long.toString(saleId), channel,
                                joinWaitlist ? "1" : "0", Integer.toString(waitlistCapacity)))
                .map(r -> {
                    Outcome outcome = Outcome.of(r.get(0).toInteger());
                    return new Reservation(outcome, r.get(1).toString(),
                            outcome == Outcome.WAITLISTED ? r.get(2).toLong() : 0,
                            outcome == Outcome.RESERVED ? Long.parseLong(r.get(2).toString()) : 0);
                });
    }

    /**
     * After a purchase.lua call whose answer never came: was the unit reserved? If not, the order
     * id is voided atomically, so the lost call can no longer reserve under it.
     */
    public Uni<Resolution> resolve(long saleId, long orderId) {
        return RESOLVE.run(redis, new SaleKeys(saleId).resolveKeys(), List.of(Long.toString(orderId)))
                .map(r -> r.get(0).toInteger() == 1
                        ? new Resolution(true, Long.parseLong(r.get(2).toString()))
                        : new Resolution(false, 0));
    }

    /**
     * Frees the unit of an order that will not be paid and hands it to the waitlist head if
     * anyone waits ({@code promotedOrderId} becomes their order id), else back on open sale.
     */
    public Uni<Release> releaseOrPromote(long saleId, long orderId, long promotedOrderId) {
        SaleKeys keys = new SaleKeys(saleId);
        return RELEASE_OR_PROMOTE.run(redis, keys.releaseOrPromoteKeys(), List.of(Long.toString(orderId),
                        Long.toString(saleId), channel, Long.toString(promotedOrderId)))
                .map(r -> r.get(0).toInteger() == 2
                        ? new Release(2, r.get(1).toString(), Long.parseLong(r.get(2).toString()),
                                Long.parseLong(r.get(3).toString()))
                        : new Release(r.get(0).toInteger(), r.get(1).toString(), 0, 0));
    }

    /** Payment made the unit the buyer's for good: the reservation no longer needs watching; counted as paid. */
    public Uni<Void> confirm(long saleId, long orderId) {
        SaleKeys keys = new SaleKeys(saleId);
        return CONFIRM.run(redis, List.of(keys.reservations(), keys.meta()), List.of(Long.toString(orderId)))
                .replaceWithVoid();
    }

    /** The sale page's live figures, in one round trip; {@code primed} false when Redis lost the sale. */
    public record Counters(boolean primed, long available, long reserved, long paid, long waitlistLength) {
    }

    public Uni<Counters> counters(long saleId) {
        SaleKeys keys = new SaleKeys(saleId);
        return COUNTERS.run(redis, List.of(keys.meta(), keys.stock(), keys.reservations(), keys.waitlist()), List.of())
                .map(r -> new Counters(r.get(0).toInteger() == 1, r.get(1).toLong(), r.get(2).toLong(),
                        r.get(3).toLong(), r.get(4).toLong()));
    }
}
