package io.flashsale.order;

import io.flashsale.common.OrderIds;
import io.flashsale.sale.SaleSnapshot;
import io.flashsale.sale.StockReservations;
import io.flashsale.sale.StockReservations.Release;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * What happens to the unit of an order that will not be paid (cancelled, expired, orphaned, or
 * never made durable): one Lua step gives it to the waitlist head or back to open sale; a
 * promotion is then written as an order. Every step is idempotent, so the reconciler may safely
 * repeat it.
 */
@ApplicationScoped
public class FreedUnits {

    private static final Logger LOG = Logger.getLogger(FreedUnits.class);

    private final StockReservations stock;
    private final Promotions promotions;
    private final Duration redisTimeout;

    public FreedUnits(StockReservations stock, Promotions promotions, io.flashsale.common.RedisConfig redis) {
        this.redisTimeout = redis.timeout();
        this.stock = stock;
        this.promotions = promotions;
    }

    /** Returns what Redis did; failures are logged and left to the reconciler. Blocking. */
    public Release free(long saleId, long orderId) {
        try {
            Release release = stock.releaseOrPromote(saleId, orderId, OrderIds.next()).await().atMost(redisTimeout);
            if (release.promoted() && unreplicated(saleId, release)) {
                return release;
            }
            if (release.promoted()) {
                promote(saleId, release.userId(), release.newOrderId(), release.generation(), release.bucket());
            }
            return release;
        } catch (RuntimeException e) {
            LOG.warnf("unit of order %d in sale %d not freed yet (%s); the reconciler will", orderId, saleId,
                    e.toString());
            return new Release(Release.Freed.NOT_YET, "", 0, 0);
        }
    }

    /**
     * The non-blocking form, for the purchase path's compensation: the unit goes where expiry
     * would send it (waitlist head first), and a promotion is queued without waiting for its commit.
     */
    public Uni<Release> freeAsync(SaleSnapshot sale, long orderId) {
        return stock.releaseOrPromote(sale.id(), orderId, OrderIds.next())
                .ifNoItem().after(redisTimeout).fail()
                .invoke(release -> {
                    if (release.promoted() && !unreplicated(sale.id(), release)) {
                        promotions.submit(sale, release.userId(), release.newOrderId(), release.generation(),
                                release.bucket())
                                .exceptionally(e -> {
                                    LOG.warnf("promotion of %s to order %d in sale %d not written yet (%s);"
                                            + " the reconciler will", release.userId(), release.newOrderId(),
                                            sale.id(), e.toString());
                                    return null;
                                });
                    }
                });
    }

    /**
     * A promotion no replica acknowledged could vanish with a failing master, and the waiter
     * would then be promoted again under another id: its order is not written now. The reconciler
     * writes it after the grace period if Redis still holds it (ReservationReconciler), or finds
     * it gone and writes nothing.
     */
    private static boolean unreplicated(long saleId, Release release) {
        if (release.replicated()) {
            return false;
        }
        LOG.warnf("promotion of %s to order %d in sale %d not acknowledged by a Redis replica; the reconciler"
                + " writes it once it is sure to stay", release.userId(), release.newOrderId(), saleId);
        return true;
    }

    public void promote(long saleId, String userId, long orderId, long generation, int bucket) {
        try {
            promotions.complete(saleId, userId, orderId, generation, bucket);
        } catch (Exception e) {
            LOG.warnf("promotion of %s to order %d in sale %d not written yet (%s); the reconciler will", userId,
                    orderId, saleId, e.toString());
        }
    }
}
