package io.flashsale.order;

import io.flashsale.sale.StockReservations;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * Payment and cancel as the buyer sees them: the database transition first (the truth), then,
 * after commit, the matching Redis step. If Redis is unreachable at that moment the order is
 * still correct; the reservation left behind is settled by the reconciler.
 */
@ApplicationScoped
public class OrderService {

    private static final Logger LOG = Logger.getLogger(OrderService.class);

    private final OrderTransitions transitions;
    private final StockReservations stock;
    private final UnitRelease unitRelease;

    private final Duration redisTimeout;

    public OrderService(OrderTransitions transitions, StockReservations stock, UnitRelease unitRelease,
            io.flashsale.common.RedisConfig redis) {
        this.redisTimeout = redis.timeout();
        this.transitions = transitions;
        this.stock = stock;
        this.unitRelease = unitRelease;
    }

    public OrderView pay(String orderId, PaymentRequest request) {
        String paymentId = request.validPaymentId();
        long amountCents = request.validAmountCents();
        OrderChange change;
        try {
            change = transitions.pay(orderId, paymentId, amountCents);
        } catch (RuntimeException e) {
            if (isDuplicatePaymentId(e)) {
                // a concurrent payment with this payment id committed first, for another order
                throw OrderTransitions.paymentIdInUse(paymentId);
            }
            throw e;
        }
        if (change.freesUnit()) {
            unitRelease.release(change.order().saleId, change.order().id, change.order().stockBucket);
        } else if (change.changed()) {
            afterCommit("confirm", change.order(), () -> stock.confirm(change.order().saleId, change.order().id,
                    change.order().stockBucket).await().atMost(redisTimeout));
        }
        return change.viewOrThrow();
    }

    public OrderView cancel(String orderId) {
        OrderChange change = transitions.cancel(orderId);
        if (change.freesUnit()) {
            // the unit goes to the waitlist head, or back on open sale
            unitRelease.release(change.order().saleId, change.order().id, change.order().stockBucket);
        }
        return change.viewOrThrow();
    }

    private static boolean isDuplicatePaymentId(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("uk_orders_payment_id")) {
                return true;
            }
        }
        return false;
    }

    private static void afterCommit(String step, OrderEntity order, Runnable redisStep) {
        try {
            redisStep.run();
        } catch (RuntimeException e) {
            LOG.warnf("order %d committed but Redis %s failed (%s); the reconciler will settle it", order.id, step,
                    e.toString());
        }
    }
}
