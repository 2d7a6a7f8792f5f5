package io.flashsale.hotkey;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/** One sale's request rates (per second) by key family: on one instance, or summed over instances. */
public record SaleRates(long saleId, Map<KeyFamily, Double> perFamily) {

    public SaleRates {
        perFamily = Collections.unmodifiableMap(perFamily.isEmpty() ? new EnumMap<>(KeyFamily.class)
                : new EnumMap<>(perFamily));
    }

    public double total() {
        double total = 0;
        for (double rate : perFamily.values()) {
            total += rate;
        }
        return total;
    }

    public double of(KeyFamily family) {
        return perFamily.getOrDefault(family, 0.0);
    }
}
