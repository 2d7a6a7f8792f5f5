-- Stock buckets (README "Stock buckets"): a sale may spread its stock over N Redis hash tags, so
-- on a Redis Cluster one hot sale is served by several masters. 1 = every key under {sale:ID},
-- as before this migration.
ALTER TABLE sales
    ADD COLUMN buckets SMALLINT NOT NULL DEFAULT 1;

-- The bucket an order's unit was taken from (a buyer whose home bucket was empty takes one from
-- another). A rebuild restores each bucket from the orders whose units it gave; 0 for every
-- order of a one-bucket sale.
ALTER TABLE orders
    ADD COLUMN stock_bucket SMALLINT NOT NULL DEFAULT 0;
