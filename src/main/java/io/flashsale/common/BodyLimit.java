package io.flashsale.common;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * API bodies over {@code flashsale.api.max-body-bytes} (4 KiB) are refused with 413 by their
 * declared length, before a byte of them is read; a body without a length (chunked) is cut by the
 * HTTP layer's own limit ({@code quarkus.http.limits.max-body-size}).
 */
public class BodyLimit {

    private final ApiLimitsConfig limits;

    public BodyLimit(ApiLimitsConfig limits) {
        this.limits = limits;
    }

    @ServerRequestFilter(preMatching = true)
    public Response refuseOversizedBodies(ContainerRequestContext request) {
        String length = request.getHeaderString("Content-Length");
        if (length == null) {
            return null;
        }
        long bytes;
        try {
            bytes = Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return Problem.of(400, "INVALID_REQUEST", "Content-Length is not a number", Map.of("field", "Content-Length"));
        }
        if (bytes > limits.maxBodyBytes()) {
            return Problem.of(413, "PAYLOAD_TOO_LARGE", "request bodies are limited to " + limits.maxBodyBytes() + " bytes",
                    Map.of());
        }
        return null;
    }
}
