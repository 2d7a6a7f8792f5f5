package io.flashsale.hotkey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The two pub/sub messages survive the round trip; anything else is ignored, not misread. */
class HotKeyMessagesTests {

    @Test
    void aReportSurvivesTheRoundTrip() {
        InstanceReport report = new InstanceReport("a1b2c3", 1_700_000_000_123L, List.of(
                new SaleRates(42, Map.of(KeyFamily.PURCHASE, 1234.5, KeyFamily.PAGE, 7.0)),
                new SaleRates(43, Map.of(KeyFamily.WAITLIST, 0.5))));
        assertEquals(report, HotKeyMessages.report(HotKeyMessages.encode(report)));
        InstanceReport empty = new InstanceReport("a1b2c3", 5, List.of());
        assertEquals(empty, HotKeyMessages.report(HotKeyMessages.encode(empty)));
    }

    @Test
    void aHotSetSurvivesTheRoundTrip() {
        HotSetMessage message = new HotSetMessage("ffee00", 12, 99, List.of(new HotSale(42, 2500.0,
                Map.of(KeyFamily.PURCHASE, 2000.0, KeyFamily.IDEMPOTENCY, 500.0), 3, 31000.0, 3, 17, 20)));
        assertEquals(message, HotKeyMessages.hotSet(HotKeyMessages.encode(message)));
    }

    @Test
    void otherVersionsAndGarbageAreIgnored() {
        assertNull(HotKeyMessages.report("R2|x|1|42=purchase:1.0"));
        assertNull(HotKeyMessages.report("H2|x|1|1|"));
        assertNull(HotKeyMessages.hotSet("H1|x|1|"));
        assertNull(HotKeyMessages.report("R1|x|notanumber|"));
        assertNull(HotKeyMessages.hotSet("H2|x|1|1|42,oops"));
        assertNull(HotKeyMessages.hotSet(null));
        // a family a newer build counts is skipped; the rest of the report still counts
        assertEquals(new InstanceReport("x", 1, List.of(new SaleRates(42, Map.of(KeyFamily.PAGE, 2.0)))),
                HotKeyMessages.report("R1|x|1|42=page:2.0,cdn:9.0"));
    }
}
