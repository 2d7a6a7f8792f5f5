-- Order lifecycle: when the payment reminder is due, and whether the order came from the waitlist
-- (so a Redis rebuild can restore who was promoted).
ALTER TABLE orders
    ADD COLUMN remind_at DATETIME(6) NULL,
    ADD COLUMN promoted BOOLEAN NOT NULL DEFAULT FALSE,
    -- the reminder job claims PENDING_PAYMENT orders not yet reminded whose reminder is due
    ADD KEY idx_orders_status_remind (status, reminded_at, remind_at),
    -- rebuilds read a sale's active orders
    ADD KEY idx_orders_sale_user (sale_id, user_id);
