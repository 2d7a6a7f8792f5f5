package io.flashsale.sale;

/**
 * A value of a sale's reservations hash: {@code userId|reservedAtMs}, written by purchase.lua and
 * release_or_promote.lua (reservedAtMs by the Redis server's clock) and by the rebuild.
 */
public record ReservationEntry(String userId, long reservedAtMs) {

    public static ReservationEntry parse(String value) {
        int bar = value == null ? -1 : value.lastIndexOf('|');
        if (bar <= 0) {
            return null;
        }
        try {
            return new ReservationEntry(value.substring(0, bar), Long.parseLong(value.substring(bar + 1)));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    public String format() {
        return userId + "|" + reservedAtMs;
    }
}
