package io.flashsale.order;

/** The batch writer's queue is full: the caller releases its reservation and answers 429. */
public class OrderQueueFull extends RuntimeException {

    public OrderQueueFull() {
        super("order writer queue is full", null, false, false);
    }
}
