package io.flashsale.common;

/**
 * {@code flashsale.role}: one image, three ways to run it.
 * <ul>
 * <li>{@code api}: the HTTP endpoints of API.md only; no scheduled jobs, no Kafka consumers, so
 * it can scale to zero (Knative).</li>
 * <li>{@code worker}: the scheduled jobs and the Kafka consumers; HTTP serves only health and
 * metrics.</li>
 * <li>{@code all}: both (local runs and tests).</li>
 * </ul>
 */
public enum Role {
    API, WORKER, ALL;

    public static Role parse(String value) {
        try {
            return Role.valueOf(value.trim().toUpperCase());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("flashsale.role must be api, worker or all, not '" + value + "'");
        }
    }

    public boolean servesApi() {
        return this != WORKER;
    }

    public boolean runsWorkers() {
        return this != API;
    }
}
