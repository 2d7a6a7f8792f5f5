package io.flashsale.support;

import io.quarkus.redis.datasource.RedisDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Whole-keyspace operations of the tests, on whichever Redis the test profile points at: the
 * single node's test database (FLUSHDB, DBSIZE of that database), or every master of a Redis
 * Cluster (the cluster run, {@code -Predis-cluster}: a cluster has database 0 only, and a cluster
 * client sends keyless commands to one arbitrary node, so each master is addressed directly).
 */
@ApplicationScoped
public class TestRedis {

    /** One node of the cluster as {@code CLUSTER NODES} lists it. */
    public record Node(String id, String host, int port, boolean master, String masterId, List<String> slotRanges) {

        public Object call(String... command) {
            return Resp.call(host, port, command);
        }
    }

    private final RedisDataSource redis;

    public TestRedis(RedisDataSource redis) {
        this.redis = redis;
    }

    public static boolean isCluster() {
        return "cluster".equalsIgnoreCase(ConfigProvider.getConfig()
                .getOptionalValue("quarkus.redis.client-type", String.class).orElse("standalone"));
    }

    /** Empties what the tests use: the test database of a single node, or every master of the cluster. */
    public void flush() {
        if (!isCluster()) {
            redis.execute("FLUSHDB");
            return;
        }
        for (Node master : masters()) {
            master.call("FLUSHALL");
        }
    }

    /** Keys the tests can see (DBSIZE, summed over the masters of a cluster). */
    public long keyCount() {
        if (!isCluster()) {
            return redis.execute("DBSIZE").toLong();
        }
        long keys = 0;
        for (Node master : masters()) {
            keys += (Long) master.call("DBSIZE");
        }
        return keys;
    }

    /** The cluster's nodes, as one of them currently sees them (failed nodes left out). */
    public List<Node> nodes() {
        String listing = redis.execute("CLUSTER", "NODES").toString();
        List<Node> nodes = new ArrayList<>();
        for (String line : listing.split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length < 8 || f[2].contains("fail") || f[2].contains("handshake") || f[2].contains("noaddr")) {
                continue;
            }
            String address = f[1].split("[@,]")[0];
            int colon = address.lastIndexOf(':');
            List<String> slots = new ArrayList<>();
            for (int i = 8; i < f.length; i++) {
                slots.add(f[i]);
            }
            nodes.add(new Node(f[0], address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)),
                    f[2].contains("master"), f[3], slots));
        }
        return nodes;
    }

    public List<Node> masters() {
        return nodes().stream().filter(Node::master).toList();
    }

    /** The master that serves {@code key}'s slot now. */
    public Node masterOf(String key) {
        int slot = redis.execute("CLUSTER", "KEYSLOT", key).toInteger();
        for (Node master : masters()) {
            for (String range : master.slotRanges()) {
                if (range.startsWith("[")) {
                    continue; // a slot being migrated
                }
                String[] bounds = range.split("-");
                int from = Integer.parseInt(bounds[0]);
                int to = bounds.length == 2 ? Integer.parseInt(bounds[1]) : from;
                if (slot >= from && slot <= to) {
                    return master;
                }
            }
        }
        throw new IllegalStateException("no master serves slot " + slot + " of " + key);
    }

    /** The replicas of one master. */
    public List<Node> replicasOf(Node master) {
        return nodes().stream().filter(n -> !n.master() && n.masterId().equals(master.id())).toList();
    }
}
