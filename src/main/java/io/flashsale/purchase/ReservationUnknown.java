package io.flashsale.purchase;

/**
 * A purchase.lua call's reply was lost and Redis did not answer the lookup before the deadline:
 * whether a unit is reserved is unknown. Nothing is released (there may be nothing to release);
 * an orphaned reservation is freed by the reconciler, fenced like any other.
 */
class ReservationUnknown extends RuntimeException {

    ReservationUnknown(Throwable cause) {
        super("reservation outcome unknown", cause);
    }
}
