package io.flashsale.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** ARCHITECTURE.md "Ids are unique across processes": each process holds its own node id. */
@QuarkusTest
class NodeIdLeaseTests {

    @Inject
    RedisDataSource redis;

    @Test
    void thisProcessMintsOrderIdsUnderTheNodeItLeased() {
        // leased by the start-up step "order-ids", in parallel with the other start-up work
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> OrderIds.node() >= 0);
        int node = OrderIds.node();
        assertTrue(node >= 0 && node < OrderIds.NODES, "leased node " + node);
        for (int i = 0; i < 100; i++) {
            assertEquals(node, OrderIds.nodeOf(OrderIds.next()));
        }
        long ttl = redis.key(String.class).pttl(NodeIdLease.leaseKey(node));
        assertTrue(ttl > 0 && ttl <= NodeIdLease.TTL.toMillis(), "the lease expires unless renewed: " + ttl);
    }

    @Inject
    NodeIdLease lease;

    @Test
    void fiftyProcessesStartingAtOnceLeaseFiftyDistinctNodes() throws Exception {
        // the start-up step may have leased before the test state was flushed (FreshTestState):
        // one renewal round restores this process's lease, as it would after Redis lost its data
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> OrderIds.node() >= 0);
        lease.renew();
        assertEquals(lease.leased(), OrderIds.node());
        assertTrue(redis.key(String.class).exists(NodeIdLease.leaseKey(OrderIds.node())), "own lease held");
        Set<Integer> nodes = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Set<String> holders = new HashSet<>();
        var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        var leases = new java.util.ArrayList<java.util.concurrent.Future<Integer>>();
        for (int i = 0; i < 50; i++) {
            String holder = "probe-" + UUID.randomUUID();
            holders.add(holder);
            leases.add(pool.submit(() -> NodeIdLease.lease(redis, holder)));
        }
        for (var lease : leases) {
            nodes.add(lease.get());
        }
        pool.shutdown();
        assertEquals(50, nodes.size(), "no node handed out twice");
        assertTrue(!nodes.contains(OrderIds.node()), "nor this process's own");
        nodes.forEach(n -> redis.key(String.class).del(NodeIdLease.leaseKey(n)));
    }
}
