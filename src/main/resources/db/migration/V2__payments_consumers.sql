-- Late payments of orders that can no longer be paid: one refund request per payment id,
-- so a retried late payment never asks for two refunds.
CREATE TABLE refund_requests (
    payment_id   VARCHAR(100) NOT NULL,
    order_id     BIGINT       NOT NULL,
    amount_cents BIGINT       NOT NULL,
    created_at   DATETIME(6)  NOT NULL,
    PRIMARY KEY (payment_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Consumers remember what they applied, in the same transaction as the effect (exactly-once effects
-- on top of at-least-once delivery).
CREATE TABLE processed_events (
    consumer     VARCHAR(64) NOT NULL,
    event_id     CHAR(36)    NOT NULL,
    processed_at DATETIME(6) NOT NULL,
    PRIMARY KEY (consumer, event_id),
    KEY idx_processed_at (processed_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Per-sale statistics maintained by the sale-statistics consumer from flashsale.order-events.
CREATE TABLE sale_stats (
    sale_id    BIGINT      NOT NULL,
    reserved   BIGINT      NOT NULL DEFAULT 0,
    paid       BIGINT      NOT NULL DEFAULT 0,
    cancelled  BIGINT      NOT NULL DEFAULT 0,
    expired    BIGINT      NOT NULL DEFAULT 0,
    updated_at DATETIME(6) NOT NULL,
    PRIMARY KEY (sale_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
