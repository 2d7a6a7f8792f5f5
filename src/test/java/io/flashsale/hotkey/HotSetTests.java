package io.flashsale.hotkey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** An instance's view of the hot set: newest decision wins, workers' sets united, silent workers expire. */
class HotSetTests {

    private static final long T0 = 1_700_000_000_000L;

    private final MutableClock clock = new MutableClock(T0);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final HotSet hotSet = new HotSet(null, Defaults.CONFIG, clock, meters);

    private static String hotSet(String aggregator, long sequence, long... saleIds) {
        List<HotSale> sales = new java.util.ArrayList<>();
        for (long saleId : saleIds) {
            sales.add(new HotSale(saleId, 2500, Map.of(KeyFamily.PURCHASE, 2500.0), 2, 2500, 1, T0 - 300, T0 - 100));
        }
        return HotKeyMessages.encode(new HotSetMessage(aggregator, sequence, T0, sales));
    }

    @Test
    void anOlderDecisionArrivingLateDoesNotUndoANewerOne() {
        hotSet.onMessage(hotSet("w1", 2, 7));
        assertTrue(hotSet.isHot(7));
        hotSet.onMessage(hotSet("w1", 1)); // sent before, delivered after (another connection)
        assertTrue(hotSet.isHot(7));
        hotSet.onMessage(hotSet("w1", 3));
        assertFalse(hotSet.isHot(7));
    }

    @Test
    void theDetectionLatencyIsRecordedOnceFromTheReportThatCrossedTheThreshold() {
        hotSet.onMessage(hotSet("w1", 1, 7));
        hotSet.onMessage(hotSet("w1", 2, 7));
        assertEquals(300, hotSet.flag(7).orElseThrow().detectionMillis());
        var latency = meters.find("flashsale.hotkey.detection.latency").timer();
        assertEquals(1, latency.count());
        assertEquals(300, latency.totalTime(TimeUnit.MILLISECONDS), 0.001);
        assertEquals(1.0, meters.find("flashsale.hotkey.hot").tag("sale", "7").gauge().value());
    }

    @Test
    void theWorkersSetsAreUnitedAndASilentWorkersFlagsExpire() {
        hotSet.onMessage(hotSet("w1", 1, 7));
        hotSet.onMessage(hotSet("w2", 1, 8));
        assertTrue(hotSet.isHot(7) && hotSet.isHot(8));
        clock.advance(Duration.ofMillis(1500));
        hotSet.onMessage(hotSet("w2", 2, 8));
        clock.advance(Duration.ofMillis(600)); // w1 silent for 2.1 s: past stale-after
        hotSet.recompute();
        assertFalse(hotSet.isHot(7));
        assertTrue(hotSet.isHot(8));
        assertEquals(0.0, meters.find("flashsale.hotkey.hot").tag("sale", "7").gauge().value());
    }

    static final class MutableClock extends Clock {
        private long millis;

        MutableClock(long millis) {
            this.millis = millis;
        }

        void advance(Duration by) {
            millis += by.toMillis();
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public long millis() {
            return millis;
        }
    }

    /** The production defaults of HotKeyConfig (its @WithDefault values). */
    static final class Defaults {
        static final HotKeyConfig CONFIG = new HotKeyConfig() {
            public Duration publishPeriod() {
                return Duration.ofMillis(500);
            }

            public int topSales() {
                return 20;
            }

            public double hotRate() {
                return 2000;
            }

            public double coolRate() {
                return 1000;
            }

            public Duration coolDown() {
                return Duration.ofSeconds(5);
            }

            public Duration staleAfter() {
                return Duration.ofSeconds(2);
            }

            public double shardBudget() {
                return 15000;
            }

            public Duration readCacheTtl() {
                return Duration.ofSeconds(1);
            }

            public String reportsChannel() {
                return "unused";
            }

            public String hotSetChannel() {
                return "unused";
            }
        };
    }
}
