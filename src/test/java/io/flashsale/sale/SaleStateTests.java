package io.flashsale.sale;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The state a client sees (API.md): the clock decides SCHEDULED/ENDED first, then the stock. */
class SaleStateTests {

    static final Instant STARTS = Instant.parse("2026-03-01T10:00:00Z");
    static final Instant ENDS = Instant.parse("2026-03-01T12:00:00Z");

    static Sale sale() {
        Sale sale = new Sale();
        sale.startsAt = STARTS;
        sale.endsAt = ENDS;
        return sale;
    }

    @Test
    void beforeTheStartItIsScheduledEvenWithStock() {
        assertEquals(SaleState.SCHEDULED, SaleState.of(sale(), 100, STARTS.minusMillis(1)));
        assertEquals(SaleState.SCHEDULED, SaleState.of(sale(), 0, STARTS.minusSeconds(3600)));
    }

    @Test
    void fromTheStartInstantItIsActiveWhileUnitsRemain() {
        assertEquals(SaleState.ACTIVE, SaleState.of(sale(), 1, STARTS));
        assertEquals(SaleState.ACTIVE, SaleState.of(sale(), 100, ENDS.minusMillis(1)));
    }

    @Test
    void withNoUnitLeftItIsSoldOut() {
        assertEquals(SaleState.SOLD_OUT, SaleState.of(sale(), 0, STARTS));
        // a negative figure (counters read mid-update) is not "available"
        assertEquals(SaleState.SOLD_OUT, SaleState.of(sale(), -1, STARTS.plusSeconds(1)));
    }

    @Test
    void atTheEndInstantItIsEndedWhateverTheStock() {
        assertEquals(SaleState.ENDED, SaleState.of(sale(), 100, ENDS));
        assertEquals(SaleState.ENDED, SaleState.of(sale(), 0, ENDS.plusSeconds(1)));
    }
}
