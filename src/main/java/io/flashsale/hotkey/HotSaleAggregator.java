package io.flashsale.hotkey;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The worker's decision (pure logic, one instance per aggregating process, not thread-safe: the
 * caller serialises): the latest report of each instance is kept until it is older than
 * {@code staleAfter} (by the aggregator's own clock, so the instances' clocks play no part in
 * expiry), rates are summed per sale over the instances, and a sale turns hot when the sum reaches
 * {@code hotRate}. It turns cold only once the sum has stayed below {@code coolRate} (lower) for
 * {@code coolDown}: a burst that dips for a moment, or one lost report, does not make it flap.
 */
public final class HotSaleAggregator {

    /** What one evaluation found: the hot set, and the sales that changed state in it. */
    public record Decision(List<HotSale> hot, List<HotSale> turnedHot, List<Cooled> turnedCold) {

        public boolean changed() {
            return !turnedHot.isEmpty() || !turnedCold.isEmpty();
        }
    }

    /** A sale that stopped being hot: its rate now and its peaks while it was hot. */
    public record Cooled(long saleId, double ratePerSecond, double peakRate, double peakPurchaseRate,
            int recommendedBuckets, long hotForMillis) {
    }

    private record Heard(InstanceReport report, long receivedMillis) {
    }

    private static final class SaleState {
        long hotSinceMillis;
        long firstAboveMillis;
        long belowSinceMillis = -1;
        boolean announced;
        double peakRate;
        double peakPurchaseRate;
    }

    private final double hotRate;
    private final double coolRate;
    private final long coolDownMillis;
    private final long staleAfterMillis;
    private final double shardBudget;
    private final Map<String, Heard> instances = new HashMap<>();
    private final Map<Long, SaleState> hot = new HashMap<>();

    public HotSaleAggregator(double hotRate, double coolRate, long coolDownMillis, long staleAfterMillis,
            double shardBudget) {
        if (!(hotRate > 0) || coolRate < 0 || coolRate > hotRate || !(shardBudget > 0)) {
            throw new IllegalArgumentException("flashsale.hotkey: need 0 <= cool-rate <= hot-rate, hot-rate > 0 and"
                    + " shard-budget > 0 (hot-rate " + hotRate + ", cool-rate " + coolRate + ", shard-budget "
                    + shardBudget + ")");
        }
        this.hotRate = hotRate;
        this.coolRate = coolRate;
        this.coolDownMillis = coolDownMillis;
        this.staleAfterMillis = staleAfterMillis;
        this.shardBudget = shardBudget;
    }

    /** Stock buckets a sale needs so no shard takes more than its budget of purchase calls per second. */
    public static int recommendedBuckets(double peakPurchaseRate, double shardBudget) {
        return (int) Math.max(1, Math.ceil(peakPurchaseRate / shardBudget));
    }

    /** Keeps an instance's latest report (an older one that arrives late is ignored). */
    public void accept(InstanceReport report, long receivedMillis) {
        Heard before = instances.get(report.instanceId());
        if (before == null || before.report().sentAtMillis() <= report.sentAtMillis()) {
            instances.put(report.instanceId(), new Heard(report, receivedMillis));
        }
    }

    public int instancesHeard() {
        return instances.size();
    }

    public Decision evaluate(long nowMillis) {
        instances.values().removeIf(heard -> nowMillis - heard.receivedMillis() > staleAfterMillis);
        Map<Long, Map<KeyFamily, Double>> sums = new HashMap<>();
        Map<Long, Integer> reporters = new HashMap<>();
        Map<Long, Long> newestReport = new HashMap<>();
        for (Heard heard : instances.values()) {
            for (SaleRates sale : heard.report().sales()) {
                Map<KeyFamily, Double> sum = sums.computeIfAbsent(sale.saleId(), id -> new EnumMap<>(KeyFamily.class));
                sale.perFamily().forEach((family, rate) -> sum.merge(family, rate, Double::sum));
                reporters.merge(sale.saleId(), 1, Integer::sum);
                newestReport.merge(sale.saleId(), heard.report().sentAtMillis(), Math::max);
            }
        }
        List<HotSale> turnedHot = new ArrayList<>();
        List<Cooled> turnedCold = new ArrayList<>();
        for (Map.Entry<Long, Map<KeyFamily, Double>> entry : sums.entrySet()) {
            long saleId = entry.getKey();
            double rate = total(entry.getValue());
            if (rate >= hotRate && !hot.containsKey(saleId)) {
                SaleState state = new SaleState();
                state.hotSinceMillis = nowMillis;
                state.firstAboveMillis = newestReport.get(saleId);
                hot.put(saleId, state);
            }
        }
        List<HotSale> hotSales = new ArrayList<>();
        for (Iterator<Map.Entry<Long, SaleState>> it = hot.entrySet().iterator(); it.hasNext();) {
            Map.Entry<Long, SaleState> entry = it.next();
            long saleId = entry.getKey();
            SaleState state = entry.getValue();
            Map<KeyFamily, Double> rates = sums.getOrDefault(saleId, Map.of());
            double rate = total(rates);
            // purchases with and without an Idempotency-Key both reach the stock keys
            double purchaseRate = rates.getOrDefault(KeyFamily.PURCHASE, 0.0)
                    + rates.getOrDefault(KeyFamily.IDEMPOTENCY, 0.0);
            state.peakRate = Math.max(state.peakRate, rate);
            state.peakPurchaseRate = Math.max(state.peakPurchaseRate, purchaseRate);
            if (rate >= coolRate) {
                state.belowSinceMillis = -1;
            } else if (state.belowSinceMillis < 0) {
                state.belowSinceMillis = nowMillis;
            }
            int buckets = recommendedBuckets(state.peakPurchaseRate, shardBudget);
            if (state.belowSinceMillis >= 0 && nowMillis - state.belowSinceMillis >= coolDownMillis) {
                it.remove();
                turnedCold.add(new Cooled(saleId, rate, state.peakRate, state.peakPurchaseRate, buckets,
                        nowMillis - state.hotSinceMillis));
                continue;
            }
            HotSale sale = new HotSale(saleId, rate, rates, reporters.getOrDefault(saleId, 0), state.peakPurchaseRate,
                    buckets, state.firstAboveMillis, state.hotSinceMillis);
            hotSales.add(sale);
            if (!state.announced) {
                state.announced = true;
                turnedHot.add(sale);
            }
        }
        return new Decision(hotSales, turnedHot, turnedCold);
    }

    private static double total(Map<KeyFamily, Double> rates) {
        double total = 0;
        for (double rate : rates.values()) {
            total += rate;
        }
        return total;
    }
}
