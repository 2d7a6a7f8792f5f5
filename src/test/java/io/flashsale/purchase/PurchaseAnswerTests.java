package io.flashsale.purchase;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flashsale.common.ApiException;
import org.junit.jupiter.api.Test;

/** An answer's code (the console counts answers by it) survives the Idempotency-Key store. */
class PurchaseAnswerTests {

    @Test
    void aReplayedAnswerHasTheCodeOfTheFirst() {
        PurchaseAnswer created = PurchaseAnswer.json(201, "{\"orderId\":\"0KZ\"}");
        PurchaseAnswer waitlisted = PurchaseAnswer.json(202, "{\"status\":\"WAITLISTED\"}");
        PurchaseAnswer soldOut = PurchaseAnswer.problem(new ApiException(409, "SOLD_OUT", "sold out"),
                "{\"type\":\"t\",\"title\":\"Sold out\",\"status\":409,\"detail\":\"sold out\",\"code\":\"SOLD_OUT\"}");
        for (PurchaseAnswer answer : new PurchaseAnswer[] {created, waitlisted, soldOut}) {
            assertEquals(answer, PurchaseAnswer.deserialize(answer.serialize()));
        }
        assertEquals("CREATED", created.code());
        assertEquals("WAITLISTED", waitlisted.code());
        assertEquals("SOLD_OUT", soldOut.code());
    }
}
