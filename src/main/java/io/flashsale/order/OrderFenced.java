package io.flashsale.order;

/**
 * The order was not written because its unit no longer counts as reserved: the sale's Redis keys
 * were rebuilt from the database after the reservation (its generation is stale). Nothing holds a
 * unit for the buyer; a retry reserves afresh.
 */
public class OrderFenced extends RuntimeException {

    public OrderFenced(NewOrder order) {
        super("order " + order.id() + " of sale " + order.saleId() + " was reserved under generation "
                + order.generation() + ", which a rebuild has replaced", null, false, false);
    }
}
