package io.flashsale.outbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flashsale.common.OrderIds;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * One event about one order, ready to be stored in the outbox in the same transaction as the
 * state change it describes. The JSON value carries the API.md envelope
 * ({@code eventId, type, orderId, saleId, userId, occurredAt}) plus type-specific fields.
 */
public record OutboxEvent(UUID eventId, long orderId, EventType type, Instant occurredAt, String payload) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Adding an event type is one call: {@code OutboxEvent.of(TYPE, orderId, saleId, userId, at, fields)}. */
    public static OutboxEvent of(EventType type, long orderId, long saleId, String userId, Instant occurredAt,
            Map<String, Object> fields) {
        UUID eventId = UUID.randomUUID();
        // ObjectNode keeps serialization free of reflection (native-image friendly).
        ObjectNode node = JSON.createObjectNode();
        node.put("eventId", eventId.toString());
        node.put("type", type.wireName());
        node.put("orderId", OrderIds.format(orderId));
        node.put("saleId", saleId);
        node.put("userId", userId);
        node.put("occurredAt", occurredAt.toString());
        fields.forEach((name, value) -> node.set(name, JSON.valueToTree(value instanceof Instant i ? i.toString() : value)));
        return new OutboxEvent(eventId, orderId, type, occurredAt, node.toString());
    }
}
