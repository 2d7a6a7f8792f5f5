package io.flashsale.common;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.value.SetArgs;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Leases this process a TSID node id from Redis, so no two live processes (pods, or a pod and its
 * replacement) mint order ids from the same node. A counter hands out candidates round-robin; a
 * candidate is taken with SET NX under an expiry that the holder renews. If Redis forgets the
 * lease (flush, failover) or another process took it, the next renewal leases a new node.
 * Every role needs order ids (api: purchases; worker: promotions), so this runs everywhere.
 */
@ApplicationScoped
public class NodeIdLease {

    private static final Logger LOG = Logger.getLogger(NodeIdLease.class);
    static final String COUNTER = "fs:node-ids:next";
    static final Duration TTL = Duration.ofSeconds(60);

    private final RedisDataSource redis;
    private final String holder = UUID.randomUUID().toString();
    private volatile int leased = -1;
    private volatile boolean stopping;

    public NodeIdLease(RedisDataSource redis) {
        this.redis = redis;
    }

    static String leaseKey(int node) {
        return "fs:node-ids:" + node;
    }

    /** Renews well within the expiry; re-leases when the lease was lost. Every role: api instances mint order ids. */
    @Scheduled(identity = ScheduledJobsByRole.EVERY_ROLE + "node-id-lease", every = "20s", delayed = "20s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void renew() {
        if (stopping) {
            return; // the Redis client is closing
        }
        try {
            int node = leased;
            if (node >= 0 && holder.equals(redis.value(String.class).get(leaseKey(node)))) {
                redis.key(String.class).pexpire(leaseKey(node), TTL);
            } else {
                if (node >= 0) {
                    LOG.warnf("node id lease %d was lost; leasing another", node);
                }
                acquire();
            }
        } catch (RuntimeException e) {
            LOG.warnf("node id lease not renewed (%s)", e.toString());
        }
    }

    /**
     * Takes the next free node id for this process. Called by the start-up step "order-ids"
     * (in parallel with the other clients' connections; until then ids carry a random node and
     * the instance is not ready) and by {@link #renew()} when the lease was lost.
     */
    public synchronized int acquire() {
        int candidate = lease(redis, holder);
        leased = candidate;
        OrderIds.useNode(candidate);
        LOG.infof("leased order-id node %d", candidate);
        return candidate;
    }

    /** Leases the next free node id to {@code holder}; throws if all 1024 are held. */
    static int lease(RedisDataSource redis, String holder) {
        for (int i = 0; i < OrderIds.NODES; i++) {
            int candidate = (int) Math.floorMod(redis.value(Long.class).incr(COUNTER), (long) OrderIds.NODES);
            String previous = redis.value(String.class).setGet(leaseKey(candidate), holder,
                    new SetArgs().nx().px(TTL));
            if (previous == null) {
                return candidate;
            }
        }
        throw new IllegalStateException("all " + OrderIds.NODES + " order-id nodes are leased");
    }

    /** The node this process holds, -1 while none. */
    public int leased() {
        return leased;
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
        int node = leased;
        if (node < 0) {
            return;
        }
        try {
            if (holder.equals(redis.value(String.class).get(leaseKey(node)))) {
                redis.key(String.class).del(leaseKey(node));
            }
        } catch (RuntimeException e) {
            LOG.debugf("node id lease %d not returned (%s); it expires", node, e.toString());
        }
    }
}
