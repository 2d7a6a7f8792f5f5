package io.flashsale.common;

import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds {@code application/problem+json} responses (RFC 9457) with our {@code code} member. */
public final class Problem {

    public static final String MEDIA_TYPE = "application/problem+json";
    private static final String TYPE_BASE = "https://flashsale.io/problems/";

    private Problem() {
    }

    public static Response of(ApiException e) {
        return of(e.status(), e.code(), e.getMessage(), e.extras());
    }

    public static Response of(int status, String code, String detail, Map<String, Object> extras) {
        Response.ResponseBuilder builder = Response.status(status).type(MEDIA_TYPE)
                .entity(body(status, code, detail, extras));
        if (status == 429) {
            builder.header("Retry-After", "1");
        }
        return builder.build();
    }

    /** The problem document; a plain map keeps serialization free of reflection (native-image friendly). */
    public static Map<String, Object> body(int status, String code, String detail, Map<String, Object> extras) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", TYPE_BASE + code.toLowerCase().replace('_', '-'));
        body.put("title", title(code));
        body.put("status", status);
        body.put("detail", detail);
        body.put("code", code);
        body.putAll(extras);
        return body;
    }

    private static String title(String code) {
        String words = code.replace('_', ' ').toLowerCase();
        return Character.toUpperCase(words.charAt(0)) + words.substring(1);
    }
}
