package io.flashsale.order;

/**
 * A batch's commit was in doubt and the database could not be asked in time. The order may exist:
 * the caller must NOT release its reservation (the reconciler settles it, fenced by a tombstone).
 */
public class OrderOutcomeUnknown extends RuntimeException {

    public OrderOutcomeUnknown(Throwable cause) {
        super("order outcome unknown: the database did not answer", cause);
    }
}
