package io.flashsale.purchase;

import io.flashsale.common.ApiException;
import io.flashsale.common.Problem;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * A purchase answer already rendered to JSON, so the first answer to an Idempotency-Key can be
 * stored in Redis and replayed byte for byte.
 */
public record PurchaseAnswer(int status, String contentType, String body) {

    private static final String SEPARATOR = "\n";

    public static PurchaseAnswer json(int status, String body) {
        return new PurchaseAnswer(status, MediaType.APPLICATION_JSON, body);
    }

    public static PurchaseAnswer problem(ApiException e, String body) {
        return new PurchaseAnswer(e.status(), Problem.MEDIA_TYPE, body);
    }

    /** Final business answers are replayed; transient ones (429, 503, ...) are retried for real. */
    public boolean replayable() {
        return status == 201 || status == 202 || status == 409;
    }

    public Response toResponse() {
        Response.ResponseBuilder builder = Response.status(status).type(contentType).entity(body);
        if (status == 429) {
            builder.header("Retry-After", "1");
        }
        return builder.build();
    }

    public String serialize() {
        return status + SEPARATOR + contentType + SEPARATOR + body;
    }

    public static PurchaseAnswer deserialize(String stored) {
        int first = stored.indexOf(SEPARATOR);
        int second = stored.indexOf(SEPARATOR, first + 1);
        return new PurchaseAnswer(Integer.parseInt(stored.substring(0, first)),
                stored.substring(first + 1, second), stored.substring(second + 1));
    }
}
