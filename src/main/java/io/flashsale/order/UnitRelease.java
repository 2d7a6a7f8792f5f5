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
 * Releases the unit of an order that will not be paid (cancelled, expired, orphaned, or never
 * made durable): one Lua step gives it to the waitlist head or back to open sale; a promotion is
 * then written as an order ({@link WaitlistPromotionWriter}). Every step is idempotent, so the reconciler may safely
 * repeat it.
 */
@ApplicationScoped
public class UnitRelease {

    private static final Logger LOG = Logger.getLogger(UnitRelease.class);

    private final StockReservations stock;
    private final WaitlistPromotionWriter promotionWriter;
    private final Duration redisTimeout;

    public UnitRelease(StockReservations stock, WaitlistPromotionWriter promotionWriter,
            io.flashsale.common.RedisConfig redis) {
        this.redisTimeout = redis.timeout();
        this.stock = stock;
        this.promotionWriter = promotionWriter;
    }

    /**
     * Returns what Redis did; failures are logged and left to the reconciler. Blocking.
     * {@code stockBucket}: the bucket the order's unit came from (orders.stock_bucket), -1 when unknown.
     */
    public Release release(long saleId, long orderId, int stockBucket) {
        try {
            Release release = stock.releaseOrPromote(saleId, orderId, stockBucket, OrderIds.next())
                    .await().atMost(redisTimeout);
            if (release.promoted() && unreplicated(saleId, release)) {
                return release;
            }
            if (release.promoted()) {
                completePromotion(saleId, release.userId(), release.newOrderId(), release.generation(),
                        release.bucket());
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
    public Uni<Release> releaseAsync(SaleSnapshot sale, long orderId, int stockBucket) {
        return stock.releaseOrPromote(sale.id(), orderId, stockBucket, OrderIds.next())
                .ifNoItem().after(redisTimeout).fail()
                .invoke(release -> {
                    if (release.promoted() && !unreplicated(sale.id(), release)) {
                        promotionWriter.submit(sale, release.userId(), release.newOrderId(), release.generation(),
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

    /** Writes the order of a buyer Redis already promoted; failures are left to the reconciler. */
    public void completePromotion(long saleId, String userId, long orderId, long generation, int bucket) {
        try {
            promotionWriter.complete(saleId, userId, orderId, generation, bucket);
        } catch (Exception e) {
            LOG.warnf("promotion of %s to order %d in sale %d not written yet (%s); the reconciler will", userId,
                    orderId, saleId, e.toString());
        }
    }
}
