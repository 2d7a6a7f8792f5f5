package io.flashsale.hotkey;

import java.util.List;

/**
 * One aggregator's hot set, broadcast to every instance each publish period (and at once on a
 * change). {@code sequence} grows with each decision of that aggregator: two PUBLISHes may reach
 * an instance out of order (they leave on different connections), and an older set must not
 * undo a newer one.
 */
public record HotSetMessage(String aggregatorId, long sequence, long sentAtMillis, List<HotSale> sales) {

    public HotSetMessage {
        sales = List.copyOf(sales);
    }
}
