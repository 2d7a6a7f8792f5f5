package io.flashsale.hotkey;

import java.util.List;

/**
 * What one instance publishes every publish period: its busiest sales' rates, its id, and its
 * clock when it sent them (the start of the detection latency).
 */
public record InstanceReport(String instanceId, long sentAtMillis, List<SaleRates> sales) {

    public InstanceReport {
        sales = List.copyOf(sales);
    }
}
