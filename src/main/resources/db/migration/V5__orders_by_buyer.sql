-- GET /api/me/orders: a buyer's orders, newest first (optionally of one sale: idx_orders_sale_user)
ALTER TABLE orders
    ADD KEY idx_orders_user_created (user_id, created_at);
