package io.flashsale.common;

import java.util.Map;

/**
 * A failure that the client sees as an RFC 9457 problem: HTTP status, a stable UPPER_SNAKE
 * {@code code} from API.md, a human detail and optional extra members (e.g. {@code orderId}).
 */
public class ApiException extends RuntimeException {

    private final int status;
    private final String code;
    private final Map<String, Object> extras;

    public ApiException(int status, String code, String detail) {
        this(status, code, detail, Map.of());
    }

    public ApiException(int status, String code, String detail, Map<String, Object> extras) {
        super(detail, null, false, false); // expected outcomes: no stack trace to fill
        this.status = status;
        this.code = code;
        this.extras = extras;
    }

    public static ApiException invalid(String field, String detail) {
        return new ApiException(400, "INVALID_REQUEST", detail, Map.of("field", field));
    }

    public static ApiException unavailable(String detail) {
        return new ApiException(503, "UNAVAILABLE", detail);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public Map<String, Object> extras() {
        return extras;
    }
}
