package io.flashsale.order;

import io.flashsale.common.Jdbc;
import io.flashsale.common.ApiException;
import io.flashsale.common.OrderIds;
import io.flashsale.outbox.EventType;
import io.flashsale.outbox.TransactionalOutbox;
import io.flashsale.outbox.OutboxEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * State changes of an order, each in one transaction with exactly one outbox event.
 * The row is locked first (SELECT ... FOR UPDATE) and the update is still conditional on
 * {@code status = 'PENDING_PAYMENT'}, so payment, cancel and expiry racing on one order are
 * serialized: exactly one wins, the others see the winner's state.
 */
@ApplicationScoped
public class OrderTransitions {

    private final EntityManager em;
    private final TransactionalOutbox outbox;
    private final Clock clock;
    private final OrderHistory history;

    public OrderTransitions(EntityManager em, TransactionalOutbox outbox, Clock clock, OrderHistory history) {
        this.em = em;
        this.outbox = outbox;
        this.clock = clock;
        this.history = history;
    }

    /**
     * Checks in this order, each answered as API.md says: already paid (same payment id: replay),
     * payment id already used by another order (nothing emitted), amount, not payable any more
     * (EXPIRED, CANCELLED, or PENDING_PAYMENT past its payBy, which is expired right here instead
     * of waiting for the job: a refund is requested), then PAID. Two payments with one payment
     * id on two orders at once: the unique key on payment_id lets one win; the other surfaces as a
     * constraint violation that {@link OrderService} answers 409 PAYMENT_ID_IN_USE. An order
     * already archived (OrderArchiver) is answered the same way, read-only: a replay of its
     * payment is 200, a late payment of an expired one gets 409 and its refund-required event.
     */
    @Transactional
    public OrderChange pay(String orderIdText, String paymentId, long amountCents) {
        OrderEntity live = lockedOrNull(orderIdText);
        OrderEntity order = live != null ? live : archivedOrThrow(orderIdText);
        if (order.status == OrderStatus.PAID) {
            if (paymentId.equals(order.paymentId)) {
                return OrderChange.unchanged(order); // idempotent replay
            }
            return OrderChange.refused(order, new ApiException(409, "ALREADY_PAID",
                    "the order is already paid by another payment", Map.of("orderId", orderIdText)));
        }
        if (paymentIdUsedElsewhere(paymentId, order.id)) {
            throw paymentIdInUse(paymentId);
        }
        if (amountCents != order.amountCents) {
            throw new ApiException(400, "AMOUNT_MISMATCH", "the order costs " + order.amountCents + " cents",
                    Map.of("field", "amountCents", "expectedAmountCents", order.amountCents));
        }
        if (live == null) {
            // archived orders are final (their sale ended a month ago): nothing changes but the refund
            requestRefund(order, paymentId, amountCents);
            return OrderChange.refused(order, notPayable(order, orderIdText));
        }
        Instant now = now();
        if (order.status == OrderStatus.PENDING_PAYMENT && !now.isBefore(order.payBy)) {
            // overdue: the expiry job has not run yet, but the payment window is closed
            transition(order, OrderStatus.EXPIRED, now, null);
            outbox.append(OutboxEvent.of(EventType.ORDER_EXPIRED, order.id, order.saleId, order.userId, now,
                    Map.of("status", OrderStatus.EXPIRED.name(), "payBy", order.payBy)));
            requestRefund(order, paymentId, amountCents);
            return OrderChange.expiredAndRefused(order, notPayable(order, orderIdText));
        }
        if (order.status != OrderStatus.PENDING_PAYMENT) {
            requestRefund(order, paymentId, amountCents);
            return OrderChange.refused(order, notPayable(order, orderIdText));
        }
        transition(order, OrderStatus.PAID, now, paymentId);
        outbox.append(OutboxEvent.of(EventType.ORDER_PAID, order.id, order.saleId, order.userId, now, Map.of(
                "status", OrderStatus.PAID.name(), "paymentId", paymentId, "amountCents", amountCents,
                "paidAt", now)));
        return OrderChange.changed(order);
    }

    static ApiException paymentIdInUse(String paymentId) {
        return new ApiException(409, "PAYMENT_ID_IN_USE", "payment " + paymentId + " already paid another order",
                Map.of("paymentId", paymentId));
    }

    private static ApiException notPayable(OrderEntity order, String orderIdText) {
        return new ApiException(409, "ORDER_NOT_PAYABLE",
                "the order is " + order.status + " and can no longer be paid; the payment will be refunded",
                Map.of("orderId", orderIdText, "orderStatus", order.status.name()));
    }

    @Transactional
    public OrderChange cancel(String orderIdText) {
        OrderEntity live = lockedOrNull(orderIdText);
        OrderEntity order = live != null ? live : archivedOrThrow(orderIdText);
        if (order.status != OrderStatus.PENDING_PAYMENT || live == null) {
            return OrderChange.refused(order, new ApiException(409, "ORDER_NOT_CANCELLABLE",
                    "only a PENDING_PAYMENT order can be cancelled; this one is " + order.status,
                    Map.of("orderId", orderIdText, "orderStatus", order.status.name())));
        }
        Instant now = now();
        transition(order, OrderStatus.CANCELLED, now, null);
        outbox.append(OutboxEvent.of(EventType.ORDER_CANCELLED, order.id, order.saleId, order.userId, now,
                Map.of("status", OrderStatus.CANCELLED.name(), "amountCents", order.amountCents)));
        return OrderChange.freed(order);
    }

    /** The live order, locked; null when the hot table has none (VOID tombstones are no orders). */
    private OrderEntity lockedOrNull(String orderIdText) {
        OrderEntity order = OrderIds.parse(orderIdText)
                .map(id -> em.find(OrderEntity.class, id, LockModeType.PESSIMISTIC_WRITE))
                .orElse(null);
        if (order != null && order.status == OrderStatus.VOID) {
            throw notFound(orderIdText);
        }
        return order;
    }

    private OrderEntity archivedOrThrow(String orderIdText) {
        return OrderIds.parse(orderIdText).flatMap(history::archived).orElseThrow(() -> notFound(orderIdText));
    }

    private static ApiException notFound(String orderIdText) {
        return new ApiException(404, "ORDER_NOT_FOUND", "no order with id " + orderIdText);
    }

    /** Conditional update: a no-op unless the order is still PENDING_PAYMENT. */
    private void transition(OrderEntity order, OrderStatus target, Instant now, String paymentId) {
        int updated = em.createQuery("UPDATE OrderEntity o SET o.status = :target, o.updatedAt = :now,"
                        + " o.paidAt = :paidAt, o.paymentId = :paymentId"
                        + " WHERE o.id = :id AND o.status = :pending")
                .setParameter("target", target)
                .setParameter("now", now)
                .setParameter("paidAt", target == OrderStatus.PAID ? now : null)
                .setParameter("paymentId", paymentId)
                .setParameter("id", order.id)
                .setParameter("pending", OrderStatus.PENDING_PAYMENT)
                .executeUpdate();
        if (updated != 1) {
            throw new IllegalStateException("order " + order.id + " changed under its row lock");
        }
        em.detach(order); // the bulk update bypassed the persistence context; keep the copy for the answer
        order.status = target;
        order.updatedAt = now;
        if (target == OrderStatus.PAID) {
            order.paidAt = now;
            order.paymentId = paymentId;
        }
    }

    /** One refund-required event per payment id, however often the late payment is retried. */
    private void requestRefund(OrderEntity order, String paymentId, long amountCents) {
        Instant now = now();
        int inserted = em.createNativeQuery("INSERT IGNORE INTO refund_requests"
                        + " (payment_id, order_id, amount_cents, created_at) VALUES (?1, ?2, ?3, ?4)")
                .setParameter(1, paymentId)
                .setParameter(2, order.id)
                .setParameter(3, amountCents)
                .setParameter(4, Jdbc.utc(now))
                .executeUpdate();
        if (inserted == 1) {
            outbox.append(OutboxEvent.of(EventType.PAYMENT_REFUND_REQUIRED, order.id, order.saleId, order.userId,
                    now, Map.of("paymentId", paymentId, "amountCents", amountCents,
                            "orderStatus", order.status.name())));
        }
    }

    /** Spent on another order, live or archived. */
    private boolean paymentIdUsedElsewhere(String paymentId, long orderId) {
        return history.paymentIdUsed(paymentId, orderId) || !em.createQuery("SELECT o.id FROM OrderEntity o WHERE o.paymentId = :paymentId AND o.id <> :id")
                .setParameter("paymentId", paymentId)
                .setParameter("id", orderId)
                .setMaxResults(1)
                .getResultList().isEmpty();
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
