package io.flashsale.startup;

import io.flashsale.common.NodeIdLease;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Start-up step "order-ids": this process holds its own TSID node (the first Redis round trips,
 * so it also opens the Redis connection). Every role mints order ids (purchases, promotions).
 */
@ApplicationScoped
public class OrderIdNode implements StartupStep {

    private final NodeIdLease lease;

    public OrderIdNode(NodeIdLease lease) {
        this.lease = lease;
    }

    @Override
    public String name() {
        return "order-ids";
    }

    @Override
    public void run() {
        if (lease.leased() < 0) {
            lease.acquire();
        }
    }
}
