package io.flashsale.hotkey;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Hot-key detection (README "Hot keys"). */
@ConfigMapping(prefix = "flashsale.hotkey")
public interface HotKeyConfig {

    /** How often each instance publishes its busiest sales, and the worker broadcasts the hot set. */
    @WithDefault("500MS")
    Duration publishPeriod();

    /** Sales per instance report: the busiest ones by requests per second. */
    @WithDefault("20")
    int topSales();

    /** Requests per second for one sale, summed over every instance, at which the sale turns hot. */
    @WithDefault("2000")
    double hotRate();

    /** A hot sale turns cold once its rate stayed below this for {@link #coolDown()} (hysteresis). */
    @WithDefault("1000")
    double coolRate();

    @WithDefault("5S")
    Duration coolDown();

    /**
     * An instance's report (at the worker) or a worker's hot set (at an instance) older than this is
     * dropped: a dead instance stops counting, a dead worker's flags clear.
     */
    @WithDefault("2S")
    Duration staleAfter();

    /**
     * Purchase calls per second one Redis shard should take for one sale: the recommendation is
     * ceil(peak purchase rate / this) stock buckets for the sale's next run. The measured ceiling of
     * one Redis alone is 37,446 purchase.lua calls/s (README "Performance"); 15,000 leaves room for
     * the sale's other commands, replica acknowledgements and bursts.
     */
    @WithDefault("15000")
    double shardBudget();

    /** How long a hot sale's waitlist status is served from the instance's memory (bounded staleness). */
    @WithDefault("1S")
    Duration readCacheTtl();

    /** Instances publish their reports here. Pub/sub ignores logical databases: derived from the events channel. */
    @WithDefault("${flashsale.sale.events-channel}:hotkey-reports")
    String reportsChannel();

    /** The worker broadcasts the hot set here. */
    @WithDefault("${flashsale.sale.events-channel}:hotkey-hot")
    String hotSetChannel();
}
