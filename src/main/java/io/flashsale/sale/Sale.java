package io.flashsale.sale;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A flash sale as the database keeps it. Immutable once created; live counters live in Redis. */
@Entity
@Table(name = "sales")
public class Sale extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public String sku;
    public String title;

    @Column(name = "price_cents")
    public long priceCents;

    public int stock;

    @Column(name = "starts_at")
    public Instant startsAt;

    @Column(name = "ends_at")
    public Instant endsAt;

    @Column(name = "payment_timeout_seconds")
    public Integer paymentTimeoutSeconds;

    @Column(name = "created_at")
    public Instant createdAt;

    /** Stock buckets (1..{@link SaleKeys#MAX_BUCKETS}); see {@link SaleKeys}. */
    public int buckets = 1;
}
