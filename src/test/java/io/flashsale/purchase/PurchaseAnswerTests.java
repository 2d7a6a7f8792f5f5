package io.flashsale.purchase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flashsale.common.ApiException;
import io.flashsale.common.Problem;
import org.jboss.resteasy.reactive.RestResponse;
import org.junit.jupiter.api.Test;

/** A purchase answer as the Idempotency-Key store keeps and replays it: plain logic. */
class PurchaseAnswerTests {

    static final String SOLD_OUT_BODY =
            "{\"type\":\"t\",\"title\":\"Sold out\",\"status\":409,\"detail\":\"sold out\",\"code\":\"SOLD_OUT\"}";

    @Test
    void aReplayedAnswerHasTheCodeOfTheFirst() {
        PurchaseAnswer created = PurchaseAnswer.json(201, "{\"orderId\":\"0KZ\"}");
        PurchaseAnswer waitlisted = PurchaseAnswer.json(202, "{\"status\":\"WAITLISTED\"}");
        PurchaseAnswer soldOut = PurchaseAnswer.problem(new ApiException(409, "SOLD_OUT", "sold out"), SOLD_OUT_BODY);
        for (PurchaseAnswer answer : new PurchaseAnswer[] {created, waitlisted, soldOut}) {
            assertEquals(answer, PurchaseAnswer.deserialize(answer.serialize()));
        }
        assertEquals("CREATED", created.code());
        assertEquals("WAITLISTED", waitlisted.code());
        assertEquals("SOLD_OUT", soldOut.code());
    }

    @Test
    void aBodyWithLineBreaksSurvivesTheStoreByteForByte() {
        PurchaseAnswer pretty = PurchaseAnswer.json(201, "{\n  \"orderId\": \"0KZ\"\n}\n");
        assertEquals(pretty, PurchaseAnswer.deserialize(pretty.serialize()));
    }

    @Test
    void aStoredProblemWithoutACodeIsCountedByItsStatus() {
        PurchaseAnswer answer = PurchaseAnswer.deserialize("409\n" + Problem.MEDIA_TYPE + "\n{\"status\":409}");
        assertEquals("HTTP_409", answer.code());
        assertEquals(409, answer.status());
    }

    @Test
    void onlyFinalBusinessAnswersAreReplayed() {
        assertTrue(PurchaseAnswer.json(201, "{}").replayable());
        assertTrue(PurchaseAnswer.json(202, "{}").replayable());
        assertTrue(PurchaseAnswer.problem(new ApiException(409, "SOLD_OUT", "x"), SOLD_OUT_BODY).replayable());
        for (int transientStatus : new int[] {400, 429, 500, 503}) {
            assertFalse(PurchaseAnswer.problem(new ApiException(transientStatus, "X", "x"), "{}").replayable(),
                    transientStatus + " must be retried for real, not replayed");
        }
    }

    @Test
    void aRateLimitedAnswerTellsWhenToRetry() {
        RestResponse<String> limited = PurchaseAnswer.problem(new ApiException(429, "RATE_LIMITED", "x"), "{}").toResponse();
        assertEquals(429, limited.getStatus());
        assertEquals("1", limited.getHeaderString("Retry-After"));
        assertEquals(Problem.MEDIA_TYPE, limited.getMediaType().toString());

        RestResponse<String> created = PurchaseAnswer.json(201, "{\"orderId\":\"0KZ\"}").toResponse();
        assertNull(created.getHeaderString("Retry-After"));
        assertEquals("{\"orderId\":\"0KZ\"}", created.getEntity());
        assertEquals("application/json", created.getMediaType().toString());
    }
}
