package io.flashsale.faults;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * The production defaults of every timer the test profile shortens, so a path that only works
 * because a short timer fires (e.g. the reconciler every second) shows up as broken.
 */
public class ProductionTimers implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "flashsale.lifecycle.reconcile-interval", "30S",
                "flashsale.lifecycle.reservation-grace", "30S",
                "flashsale.sale.cache-ttl", "5S",
                "flashsale.sale.sold-out-ttl", "2S");
    }
}
