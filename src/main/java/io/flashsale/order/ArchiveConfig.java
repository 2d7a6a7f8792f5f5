package io.flashsale.order;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * Moving old orders to the partitioned {@code orders_history} table (worker role, OrderArchiver):
 * {@code flashsale.order.archive-after}, {@code -interval}, {@code -batch-size}.
 */
@ConfigMapping(prefix = "flashsale.order")
public interface ArchiveConfig {

    /** Orders of sales that ended longer ago than this leave the hot {@code orders} table. */
    @WithDefault("30D")
    Duration archiveAfter();

    /** How often the worker looks for sales to archive. */
    @WithDefault("10M")
    Duration archiveInterval();

    /** Orders moved per transaction (short transactions: buyers' inserts never wait long). */
    @WithDefault("1000")
    int archiveBatchSize();
}
