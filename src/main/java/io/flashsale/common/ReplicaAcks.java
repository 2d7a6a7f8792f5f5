package io.flashsale.common;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * How many Redis replicas must hold a stock change before it counts. Redis replicates
 * asynchronously: a master that fails right after a purchase.lua ran may take the reservation
 * with it, and its promoted replica would sell that unit again. With {@code replica-acks} > 0
 * the script is followed, on the same connection, by {@code WAIT n timeout}; a reservation no
 * replica acknowledged is given back and the buyer gets 503 (nothing held), so no 201 rests on
 * a write only one node has. 0 (default) for a single Redis without replicas; 1 on a cluster
 * with a replica per master (the redis-cluster profile, {@code scripts/run.sh --redis-cluster}).
 */
@ConfigMapping(prefix = "flashsale.redis")
public interface ReplicaAcks {

    /** Replicas that must acknowledge a reservation or promotion; 0 = do not wait. */
    @WithDefault("0")
    int replicaAcks();

    /** Longest a reservation waits for those acknowledgements (a healthy local replica takes < 1 ms). */
    @WithDefault("250MS")
    Duration replicaAckTimeout();
}
