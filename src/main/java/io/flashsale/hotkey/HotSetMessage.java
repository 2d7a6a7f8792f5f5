package io.flashsale.hotkey;

import java.util.List;

/** One aggregator's hot set, broadcast to every instance each publish period (and at once on a change). */
public record HotSetMessage(String aggregatorId, long sentAtMillis, List<HotSale> sales) {

    public HotSetMessage {
        sales = List.copyOf(sales);
    }
}
