package io.flashsale.purchase;

import io.flashsale.common.ApiException;
import io.flashsale.common.Problem;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * A purchase answer already rendered to JSON, so the first answer to an Idempotency-Key can be
 * stored in Redis and replayed byte for byte. {@code code} names the answer for the operator
 * console's counts: the problem's {@code code}, or {@link #CREATED} / {@link #WAITLISTED}; it is
 * not part of the stored bytes (a replay derives it again).
 */
public record PurchaseAnswer(int status, String contentType, String body, String code) {

    public static final String CREATED = "CREATED";
    public static final String WAITLISTED = "WAITLISTED";
    private static final String SEPARATOR = "\n";
    private static final java.util.regex.Pattern PROBLEM_CODE = java.util.regex.Pattern.compile("\"code\":\"([A-Z_]+)\"");
    private static final java.util.Map<String, MediaType> MEDIA_TYPES = new java.util.concurrent.ConcurrentHashMap<>();

    /** A 201 (the order) or a 202 (the waitlist place). */
    public static PurchaseAnswer json(int status, String body) {
        return new PurchaseAnswer(status, MediaType.APPLICATION_JSON, body, status == 202 ? WAITLISTED : CREATED);
    }

    public static PurchaseAnswer problem(ApiException e, String body) {
        return new PurchaseAnswer(e.status(), Problem.MEDIA_TYPE, body, e.code());
    }

    /** Final business answers are replayed; transient ones (429, 503, ...) are retried for real. */
    public boolean replayable() {
        return status == 201 || status == 202 || status == 409;
    }

    /** A typed response (String entity known at build time, so no per-request writer lookup). */
    public RestResponse<String> toResponse() {
        RestResponse.ResponseBuilder<String> builder = RestResponse.ResponseBuilder.<String>create(status)
                .type(mediaType()).entity(body);
        if (status == 429) {
            builder.header("Retry-After", "1");
        }
        return builder.build();
    }

    /** Parsed once per content type rather than per response. */
    private MediaType mediaType() {
        return MEDIA_TYPES.computeIfAbsent(contentType, MediaType::valueOf);
    }

    public String serialize() {
        return status + SEPARATOR + contentType + SEPARATOR + body;
    }

    public static PurchaseAnswer deserialize(String stored) {
        int first = stored.indexOf(SEPARATOR);
        int second = stored.indexOf(SEPARATOR, first + 1);
        int status = Integer.parseInt(stored.substring(0, first));
        String contentType = stored.substring(first + 1, second);
        String body = stored.substring(second + 1);
        if (!Problem.MEDIA_TYPE.equals(contentType)) {
            return json(status, body);
        }
        java.util.regex.Matcher code = PROBLEM_CODE.matcher(body);
        return new PurchaseAnswer(status, contentType, body, code.find() ? code.group(1) : "HTTP_" + status);
    }
}
