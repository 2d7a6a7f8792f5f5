package io.flashsale.hotkey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The worker's decision: summed over instances, hysteresis, stale instances, the bucket recommendation. */
class HotSaleAggregatorTests {

    private static final long HOT = 1000;
    private static final long COOL = 500;
    private static final long COOL_DOWN = 5000;
    private static final long STALE = 2000;
    private static final double BUDGET = 15_000;

    private final HotSaleAggregator aggregator = new HotSaleAggregator(HOT, COOL, COOL_DOWN, STALE, BUDGET);

    private static InstanceReport report(String instance, long at, long saleId, double purchase, double page) {
        return new InstanceReport(instance, at, List.of(new SaleRates(saleId, Map.of(KeyFamily.PURCHASE, purchase,
                KeyFamily.PAGE, page))));
    }

    @Test
    void aSaleBelowTheThresholdOnEachInstanceIsHotWhenTheirSumReachesIt() {
        aggregator.accept(report("a", 100, 7, 400, 200), 100);
        assertTrue(aggregator.evaluate(100).hot().isEmpty(), "600/s on one instance is not hot");
        aggregator.accept(report("b", 150, 7, 300, 100), 160);
        HotSaleAggregator.Decision decision = aggregator.evaluate(160);
        assertEquals(1, decision.turnedHot().size());
        HotSale sale = decision.turnedHot().get(0);
        assertEquals(7, sale.saleId());
        assertEquals(1000.0, sale.ratePerSecond(), 0.001);
        assertEquals(700.0, sale.perFamily().get(KeyFamily.PURCHASE), 0.001);
        assertEquals(2, sale.instances());
        assertEquals(150, sale.firstAboveMillis(), "the report that took it over the threshold");
        // the next evaluation keeps it hot without announcing it again
        HotSaleAggregator.Decision again = aggregator.evaluate(200);
        assertEquals(List.of(7L), again.hot().stream().map(HotSale::saleId).toList());
        assertTrue(again.turnedHot().isEmpty());
    }

    @Test
    void aHotSaleTurnsColdOnlyAfterStayingBelowTheLowerThresholdForTheCoolDown() {
        aggregator.accept(report("a", 0, 7, 1200, 0), 0);
        assertEquals(1, aggregator.evaluate(0).turnedHot().size());
        // between the two thresholds: stays hot however long
        aggregator.accept(report("a", 500, 7, 700, 0), 500);
        assertEquals(1, aggregator.evaluate(500).hot().size());
        aggregator.accept(report("a", 6000, 7, 700, 0), 6000);
        assertEquals(1, aggregator.evaluate(6000).hot().size());
        // below the lower one: still hot during the cool-down, and a dip that recovers restarts it
        aggregator.accept(report("a", 6500, 7, 100, 0), 6500);
        assertEquals(1, aggregator.evaluate(6500).hot().size());
        aggregator.accept(report("a", 9000, 7, 600, 0), 9000);
        assertEquals(1, aggregator.evaluate(9000).hot().size());
        aggregator.accept(report("a", 9500, 7, 100, 0), 9500);
        assertEquals(1, aggregator.evaluate(9500).hot().size());
        aggregator.accept(report("a", 11_500, 7, 100, 0), 11_500);
        aggregator.evaluate(11_500);
        aggregator.accept(report("a", 13_500, 7, 100, 0), 13_500);
        assertEquals(1, aggregator.evaluate(14_000).hot().size(), "4.5 s below: still hot");
        aggregator.accept(report("a", 14_400, 7, 100, 0), 14_400);
        HotSaleAggregator.Decision cold = aggregator.evaluate(14_500);
        assertTrue(cold.hot().isEmpty());
        assertEquals(1, cold.turnedCold().size());
        assertEquals(1200.0, cold.turnedCold().get(0).peakRate(), 0.001);
    }

    @Test
    void aSilentInstanceStopsCountingAfterStaleAfter() {
        aggregator.accept(report("a", 0, 7, 600, 0), 0);
        aggregator.accept(report("b", 0, 7, 600, 0), 0);
        assertEquals(1, aggregator.evaluate(0).turnedHot().size());
        assertEquals(2, aggregator.instancesHeard());
        aggregator.accept(report("a", 2500, 7, 600, 0), 2500); // b died
        HotSaleAggregator.Decision decision = aggregator.evaluate(2500);
        assertEquals(1, aggregator.instancesHeard());
        assertEquals(600.0, decision.hot().get(0).ratePerSecond(), 0.001);
        assertEquals(1, decision.hot().get(0).instances());
    }

    @Test
    void aLateOlderReportDoesNotReplaceANewerOne() {
        aggregator.accept(report("a", 1000, 7, 1500, 0), 1000);
        aggregator.accept(report("a", 500, 7, 10, 0), 1001);
        assertEquals(1500.0, aggregator.evaluate(1001).hot().get(0).ratePerSecond(), 0.001);
    }

    @Test
    void theRecommendationCoversThePeakPurchaseRateWithTheShardBudget() {
        assertEquals(1, HotSaleAggregator.recommendedBuckets(0, BUDGET));
        assertEquals(1, HotSaleAggregator.recommendedBuckets(15_000, BUDGET));
        assertEquals(2, HotSaleAggregator.recommendedBuckets(15_001, BUDGET));
        assertEquals(7, HotSaleAggregator.recommendedBuckets(100_000, BUDGET));
        HotSaleAggregator small = new HotSaleAggregator(HOT, COOL, COOL_DOWN, STALE, 1000);
        small.accept(report("a", 0, 7, 2500, 0), 0);
        small.evaluate(0);
        small.accept(report("a", 500, 7, 4200, 0), 500);
        small.evaluate(500);
        small.accept(report("a", 1000, 7, 1100, 0), 1000);
        HotSale sale = small.evaluate(1000).hot().get(0);
        assertEquals(4200.0, sale.peakPurchaseRate(), 0.001, "the peak, not the rate now");
        assertEquals(5, sale.recommendedBuckets());
        // purchases carrying an Idempotency-Key reach the stock keys too
        small.accept(new InstanceReport("a", 1500, List.of(new SaleRates(7, Map.of(KeyFamily.PURCHASE, 3000.0,
                KeyFamily.IDEMPOTENCY, 2500.0, KeyFamily.PAGE, 9000.0)))), 1500);
        HotSale mixed = small.evaluate(1500).hot().get(0);
        assertEquals(5500.0, mixed.peakPurchaseRate(), 0.001, "page requests do not count, keyed purchases do");
        assertEquals(6, mixed.recommendedBuckets());
    }

    @Test
    void inconsistentThresholdsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new HotSaleAggregator(100, 200, 0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new HotSaleAggregator(0, 0, 0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new HotSaleAggregator(100, 50, 0, 0, 0));
    }
}
