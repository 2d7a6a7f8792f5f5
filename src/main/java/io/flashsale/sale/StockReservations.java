package io.flashsale.sale;

import io.flashsale.common.LuaScript;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** The live stock of a sale in Redis: reserve a unit (purchase.lua), confirm it, give it back (release.lua). */
@ApplicationScoped
public class StockReservations {

    private static final LuaScript PURCHASE = LuaScript.load("purchase");
    private static final LuaScript RELEASE = LuaScript.load("release");

    /** Result codes of purchase.lua. */
    public enum Outcome {
        RESERVED, NOT_PRIMED, NOT_STARTED, ENDED, ALREADY_PURCHASED, SOLD_OUT;

        static Outcome of(int code) {
            return switch (code) {
                case 1 -> RESERVED;
                case -1 -> NOT_PRIMED;
                case -2 -> NOT_STARTED;
                case -3 -> ENDED;
                case -4 -> ALREADY_PURCHASED;
                case -5 -> SOLD_OUT;
                default -> throw new IllegalStateException("purchase.lua returned unknown code " + code);
            };
        }
    }

    /** {@code detail}: the remaining stock when reserved, the existing order id when a duplicate. */
    public record Reservation(Outcome outcome, String detail) {
    }

    private final ReactiveRedisDataSource redis;

    public StockReservations(ReactiveRedisDataSource redis) {
        this.redis = redis;
    }

    public Uni<Reservation> reserve(long saleId, String userId, long orderId) {
        SaleKeys keys = new SaleKeys(saleId);
        return PURCHASE.run(redis, keys.purchaseKeys(),
                        List.of(userId, Long.toString(orderId), Long.toString(saleId), SaleKeys.EVENTS_CHANNEL))
                .map(r -> new Reservation(Outcome.of(r.get(0).toInteger()), r.get(1).toString()));
    }

    /** Payment made the unit the buyer's for good: the reservation no longer needs watching. */
    public Uni<Void> confirm(long saleId, long orderId) {
        return redis.hash(String.class).hdel(new SaleKeys(saleId).reservations(), Long.toString(orderId))
                .replaceWithVoid();
    }

    /** Returns true when this call gave the unit back, false when there was nothing to release. */
    public Uni<Boolean> release(long saleId, long orderId) {
        SaleKeys keys = new SaleKeys(saleId);
        return RELEASE.run(redis, keys.releaseKeys(),
                        List.of(Long.toString(orderId), Long.toString(saleId), SaleKeys.EVENTS_CHANNEL))
                .map(r -> r.get(0).toInteger() == 1);
    }
}
