package io.flashsale.order;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * The JPA entity of the {@code orders} table: a buyer's order of one unit. Rows are inserted by
 * {@link OrderBatchWriter} with JDBC batches (hot path); this mapping serves reads and the
 * conditional state changes of payment and expiry.
 */
@Entity
@Table(name = "orders")
public class OrderEntity extends PanacheEntityBase {

    @Id
    public Long id;

    @Column(name = "sale_id")
    public long saleId;

    @Column(name = "user_id")
    public String userId;

    @Enumerated(EnumType.STRING)
    public OrderStatus status;

    @Column(name = "amount_cents")
    public long amountCents;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "pay_by")
    public Instant payBy;

    @Column(name = "paid_at")
    public Instant paidAt;

    @Column(name = "payment_id")
    public String paymentId;

    @Column(name = "reminded_at")
    public Instant remindedAt;

    @Column(name = "updated_at")
    public Instant updatedAt;

    /** The stock bucket the unit was taken from (0 on a one-bucket sale); written by OrderBatchWriter. */
    @Column(name = "stock_bucket", insertable = false, updatable = false)
    public int stockBucket;
}
