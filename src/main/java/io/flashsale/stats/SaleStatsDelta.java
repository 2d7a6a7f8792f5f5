package io.flashsale.stats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What one order event changes in a sale's statistics. Pure logic: a malformed event is
 * refused with an exception (it will end on the dead-letter topic), an unknown type is a no-op
 * so new producers never break this consumer.
 */
public record SaleStatsDelta(String eventId, long saleId, int reserved, int paid, int cancelled, int expired) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static SaleStatsDelta of(String value) {
        JsonNode event;
        try {
            event = JSON.readTree(value);
        } catch (Exception e) {
            throw new IllegalArgumentException("event is not JSON: " + e.getMessage(), e);
        }
        if (event == null || !event.path("eventId").isTextual() || !event.path("type").isTextual()
                || !event.path("saleId").canConvertToLong()) {
            throw new IllegalArgumentException("event lacks eventId, type or saleId");
        }
        String id = event.get("eventId").asText();
        long sale = event.get("saleId").asLong();
        return switch (event.get("type").asText()) {
            case "flashsale.order.created" -> new SaleStatsDelta(id, sale, 1, 0, 0, 0);
            case "flashsale.order.paid" -> new SaleStatsDelta(id, sale, -1, 1, 0, 0);
            case "flashsale.order.cancelled" -> new SaleStatsDelta(id, sale, -1, 0, 1, 0);
            case "flashsale.order.expired" -> new SaleStatsDelta(id, sale, -1, 0, 0, 1);
            default -> new SaleStatsDelta(id, sale, 0, 0, 0, 0);
        };
    }

    public boolean changesNothing() {
        return reserved == 0 && paid == 0 && cancelled == 0 && expired == 0;
    }
}
