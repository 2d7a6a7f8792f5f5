-- Orders of sales that ended more than flashsale.order.archive-after ago (30 days by default) move
-- here in batches (order/OrderArchiver), so the hot `orders` table holds only recent sales: its
-- indexes stay in memory and every insert, lookup and job query stays fast however many sales
-- came before. Partitioned by month of created_at (RANGE COLUMNS: MariaDB and MySQL 8 alike):
-- old months can be dropped or moved to cheaper storage one partition at a time.
--
-- Every unique key of a partitioned table must contain the partitioning column, hence the
-- primary key (id, created_at); the id alone stays unique because it was the primary key of
-- `orders` (time-ordered TSIDs). The archiver adds one partition per month, just before it moves
-- rows of that month (REORGANIZE of the empty p_future: instant). VOID tombstones are not
-- archived: 30 days after the sale no late write can arrive, so they are deleted.
CREATE TABLE orders_history (
    id            BIGINT       NOT NULL,
    sale_id       BIGINT       NOT NULL,
    user_id       VARCHAR(64)  NOT NULL,
    status        VARCHAR(20)  NOT NULL,
    amount_cents  BIGINT       NOT NULL,
    created_at    DATETIME(6)  NOT NULL,
    pay_by        DATETIME(6)  NOT NULL,
    paid_at       DATETIME(6)  NULL,
    payment_id    VARCHAR(100) NULL,
    reminded_at   DATETIME(6)  NULL,
    remind_at     DATETIME(6)  NULL,
    promoted      BOOLEAN      NOT NULL DEFAULT FALSE,
    updated_at    DATETIME(6)  NOT NULL,
    archived_at   DATETIME(6)  NOT NULL,
    PRIMARY KEY (id, created_at),
    -- GET /api/me/orders: a buyer's archived orders, newest first
    KEY idx_history_user_created (user_id, created_at),
    KEY idx_history_sale (sale_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin
PARTITION BY RANGE COLUMNS (created_at) (
    PARTITION p_before VALUES LESS THAN ('2026-01-01 00:00:00'),
    PARTITION p_future VALUES LESS THAN (MAXVALUE)
);
