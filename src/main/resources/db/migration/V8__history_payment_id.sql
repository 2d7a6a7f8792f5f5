-- A payment id is spent once, also across the archive: a payment callback is checked against
-- orders_history too (a payment id that paid an archived order is PAYMENT_ID_IN_USE, and a late
-- payment of an archived order is answered like one of a live order), so the archive needs the
-- same lookup by payment id as the hot table's uk_orders_payment_id gives.
ALTER TABLE orders_history
    ADD KEY idx_history_payment (payment_id);
