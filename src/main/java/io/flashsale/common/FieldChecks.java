package io.flashsale.common;

/** Field checks shared by request records; each failure names the field (API.md: INVALID_REQUEST). */
public final class FieldChecks {

    private FieldChecks() {
    }

    public static <T> T required(String field, T value) {
        if (value == null) {
            throw ApiException.invalid(field, "field '" + field + "' is required");
        }
        return value;
    }

    public static String text(String field, String value, int maxLength) {
        required(field, value);
        if (value.isBlank()) {
            throw ApiException.invalid(field, "field '" + field + "' must not be empty");
        }
        if (value.length() > maxLength) {
            throw ApiException.invalid(field, "field '" + field + "' must be at most " + maxLength + " characters");
        }
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.invalid(field, "field '" + field + "' must not contain control characters");
        }
        return value;
    }

    public static long range(String field, Long value, long min, long max) {
        required(field, value);
        if (value < min || value > max) {
            throw ApiException.invalid(field, "field '" + field + "' must be between " + min + " and " + max);
        }
        return value;
    }
}
