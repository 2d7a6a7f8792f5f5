package io.flashsale.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What one order event does to a sale's statistics: plain logic, no Kafka. */
class SaleStatsDeltaTests {

    private static String event(String type) {
        return "{\"eventId\":\"e-1\",\"type\":\"" + type + "\",\"orderId\":\"0KZ\",\"saleId\":42,\"userId\":\"u\"}";
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "flashsale.order.created,   1, 0, 0, 0",
            "flashsale.order.paid,     -1, 1, 0, 0",
            "flashsale.order.cancelled,-1, 0, 1, 0",
            "flashsale.order.expired,  -1, 0, 0, 1" })
    void eachOrderEventMovesOneUnitBetweenCounters(String type, int reserved, int paid, int cancelled, int expired) {
        SaleStatsDelta delta = SaleStatsDelta.of(event(type));
        assertEquals(new SaleStatsDelta("e-1", 42, reserved, paid, cancelled, expired), delta);
        assertFalse(delta.changesNothing());
        // a unit leaves "reserved" exactly when it arrives elsewhere (created adds one)
        assertEquals(type.endsWith("created") ? 1 : 0, delta.reserved() + delta.paid() + delta.cancelled() + delta.expired());
    }

    @ParameterizedTest
    @ValueSource(strings = { "flashsale.order.payment-reminder", "flashsale.waitlist.promoted",
            "flashsale.payment.refund-required", "flashsale.order.something-new" })
    void otherEventTypesChangeNothingSoNewProducersNeverBreakTheConsumer(String type) {
        SaleStatsDelta delta = SaleStatsDelta.of(event(type));
        assertTrue(delta.changesNothing());
        assertEquals("e-1", delta.eventId());
        assertEquals(42, delta.saleId());
    }

    @ParameterizedTest
    @ValueSource(strings = { "not json", "", "[]", "null",
            "{\"type\":\"flashsale.order.created\",\"saleId\":1}",
            "{\"eventId\":\"e\",\"saleId\":1}",
            "{\"eventId\":\"e\",\"type\":\"flashsale.order.created\"}",
            "{\"eventId\":\"e\",\"type\":\"flashsale.order.created\",\"saleId\":\"forty-two\"}",
            // API.md: saleId is a JSON number; a string of digits is not one
            "{\"eventId\":\"e\",\"type\":\"flashsale.order.created\",\"saleId\":\"7\"}",
            "{\"eventId\":7,\"type\":\"flashsale.order.created\",\"saleId\":1}" })
    void aMalformedEventIsRefusedSoItEndsOnTheDeadLetterTopic(String value) {
        assertThrows(IllegalArgumentException.class, () -> SaleStatsDelta.of(value));
    }
}
