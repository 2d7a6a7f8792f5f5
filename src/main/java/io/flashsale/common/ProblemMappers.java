package io.flashsale.common;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.JsonMappingException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Maps every failure to problem+json, so clients never see an HTML or empty error body. */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response api(ApiException e) {
        return Problem.of(e);
    }

    /** No token, or one that failed verification (signature, issuer, expiry, algorithm). */
    @ServerExceptionMapper({ io.quarkus.security.UnauthorizedException.class,
            io.quarkus.security.AuthenticationFailedException.class,
            io.quarkus.security.AuthenticationCompletionException.class })
    public Response unauthenticated(RuntimeException e) {
        boolean tokenSent = !(e instanceof io.quarkus.security.UnauthorizedException);
        Response problem = Problem.of(401, "UNAUTHENTICATED", tokenSent
                ? "the bearer token is not valid (signature, issuer or expiry)"
                : "this endpoint needs a bearer token (Authorization: Bearer <JWT>)", Map.of());
        return Response.fromResponse(problem)
                .header("WWW-Authenticate", tokenSent ? "Bearer error=\"invalid_token\"" : "Bearer").build();
    }

    /** A valid token without the role the endpoint needs. */
    @ServerExceptionMapper
    public Response forbidden(io.quarkus.security.ForbiddenException e) {
        return Problem.of(403, "FORBIDDEN", "the token does not carry a role allowed here", Map.of());
    }

    /** Wrong types and shapes; declared for the exact types so quarkus-rest-jackson's own mappers do not win. */
    @ServerExceptionMapper({ MismatchedInputException.class, InvalidFormatException.class,
            com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException.class,
            JsonParseException.class, ValueInstantiationException.class })
    public Response jsonMismatch(JsonProcessingException e) {
        return json(e);
    }

    /** Malformed JSON and wrong types: name the offending field when Jackson knows it. */
    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        String field = "body";
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            field = mapping.getPath().stream()
                    .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                    .collect(Collectors.joining("."));
        }
        String detail;
        if (e instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException unknown) {
            detail = "unknown field '" + unknown.getPropertyName() + "'";
        } else if (field.equals("body")) {
            // where, not how the parser felt about it: parser internals are no help to a client
            var at = e.getLocation();
            detail = at == null || at.getLineNr() < 1
                    ? "request body is not valid JSON"
                    : "request body is not valid JSON at line " + at.getLineNr() + ", column " + at.getColumnNr();
        } else {
            detail = "field '" + field + "' has an invalid value or type";
        }
        return Problem.of(400, "INVALID_REQUEST", detail, Map.of("field", field));
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        if (e.getCause() instanceof JsonProcessingException json) {
            return json(json); // a body the JSON reader refused: say where, as for any JSON mistake
        }
        int status = e.getResponse().getStatus();
        if (e instanceof NotFoundException) {
            return Problem.of(404, "NOT_FOUND", "no such resource", Map.of());
        }
        if (e instanceof NotAllowedException) {
            return Problem.of(405, "METHOD_NOT_ALLOWED", "method not allowed on this resource", Map.of());
        }
        if (e instanceof NotSupportedException) {
            return Problem.of(415, "UNSUPPORTED_MEDIA_TYPE", "send application/json", Map.of());
        }
        if (status >= 400 && status < 500) {
            // e.g. a body that RESTEasy could not read at all
            return Problem.of(400, "INVALID_REQUEST", String.valueOf(e.getMessage()), Map.of("field", "body"));
        }
        return unexpected(e);
    }

    @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER + 100)
    public Response unexpected(Throwable e) {
        if (BackingStoreFailure.isCause(e)) {
            LOG.warnf("backing store unavailable: %s", e.toString());
            return Problem.of(503, "UNAVAILABLE", "a backing store is unavailable, try again", Map.of());
        }
        LOG.error("unexpected failure", e);
        return Problem.of(500, "INTERNAL", "unexpected server error", Map.of());
    }
}
