-- Fences against writes that arrive late (ARCHITECTURE.md "Under faults").
--
-- generation: bumped by every rebuild of the sale's Redis keys. An order is reserved under the
-- generation Redis holds and its batch insert reads this column with a shared lock: an order
-- reserved before Redis lost the sale cannot commit after the rebuild counted the database.
ALTER TABLE sales
    ADD COLUMN generation INT NOT NULL DEFAULT 0;

-- orders.status may also be 'VOID': a tombstone, never an order. Whoever frees a unit whose
-- order is not in the database (reconciler, a commit in doubt) first inserts the order id as
-- VOID; the primary key then makes a late insert of the real order fail instead of selling the
-- unit twice. VOID rows hold no unit (active_user_id is NULL) and are invisible to the API.
