package io.flashsale.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The problem+json document (RFC 9457) every 4xx/5xx carries: stable code, derived type and title. */
class ProblemTests {

    @Test
    void theDocumentCarriesTypeTitleStatusDetailAndCodeInThatOrder() {
        Map<String, Object> body = Problem.body(409, "SOLD_OUT", "no unit left", Map.of());
        assertEquals(List.of("type", "title", "status", "detail", "code"), List.copyOf(body.keySet()));
        assertEquals("https://flashsale.io/problems/sold-out", body.get("type"));
        assertEquals("Sold out", body.get("title"));
        assertEquals(409, body.get("status"));
        assertEquals("no unit left", body.get("detail"));
        assertEquals("SOLD_OUT", body.get("code"));
    }

    @Test
    void extrasFollowTheStandardMembers() {
        Map<String, Object> body = Problem.body(400, "INVALID_REQUEST", "bad", Map.of("field", "stock"));
        assertEquals("stock", body.get("field"));
        assertEquals(List.of("type", "title", "status", "detail", "code", "field"), List.copyOf(body.keySet()));
        assertEquals("Invalid request", body.get("title"));
    }

    @Test
    void aOneWordCodeGetsACapitalisedTitle() {
        assertEquals("Forbidden", Problem.body(403, "FORBIDDEN", "not yours", Map.of()).get("title"));
        assertEquals("https://flashsale.io/problems/forbidden", Problem.body(403, "FORBIDDEN", "x", Map.of()).get("type"));
    }

    @Test
    void aResponseHasTheProblemMediaTypeAndRetryAfterOnlyOn429() {
        Response limited = Problem.of(new ApiException(429, "RATE_LIMITED", "slow down"));
        assertEquals(429, limited.getStatus());
        assertEquals(Problem.MEDIA_TYPE, limited.getMediaType().toString());
        assertEquals("1", limited.getHeaderString("Retry-After"));

        Response unavailable = Problem.of(ApiException.unavailable("redis"));
        assertEquals(503, unavailable.getStatus());
        assertNull(unavailable.getHeaderString("Retry-After"));
        assertEquals("UNAVAILABLE", ((Map<?, ?>) unavailable.getEntity()).get("code"));
    }
}
