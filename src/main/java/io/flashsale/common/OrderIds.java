package io.flashsale.common;

import com.github.f4b6a3.tsid.Tsid;
import com.github.f4b6a3.tsid.TsidFactory;
import java.util.Optional;

/**
 * Order ids: 64-bit TSIDs (millisecond time + 10-bit node + counter). Time-ordered, so inserts
 * append to the clustered primary key; generated in-process, so no database round trip. Two
 * processes must never share a node id, or they can mint the same id in the same millisecond:
 * {@link NodeIdLease} leases each process its own node from Redis and calls {@link #useNode}.
 * Until then (Redis unreachable at start) the node is random, and purchase.lua still refuses an
 * id that already holds a reservation. Clients see the 13-character Crockford base32 form.
 */
public final class OrderIds {

    public static final int NODE_BITS = 10;
    public static final int NODES = 1 << NODE_BITS;
    /** A TSID is 42 bits of time and 22 "random" bits: node first, then the counter. */
    private static final int RANDOM_BITS = 22;

    private static volatile TsidFactory factory = TsidFactory.builder().withNodeBits(NODE_BITS).build();
    private static volatile int node = -1;

    private OrderIds() {
    }

    public static long next() {
        return factory.create().toLong();
    }

    /** Switches this process to its leased node id (0..1023). */
    public static synchronized void useNode(int leased) {
        if (leased != node) {
            factory = TsidFactory.builder().withNodeBits(NODE_BITS).withNode(leased).build();
            node = leased;
        }
    }

    /** The leased node id, or -1 while none is held. */
    public static int node() {
        return node;
    }

    /** The node bits of an id (for tests and diagnostics). */
    public static int nodeOf(long id) {
        return (int) ((id >>> (RANDOM_BITS - NODE_BITS)) & (NODES - 1));
    }

    public static String format(long id) {
        return Tsid.from(id).toString();
    }

    /** Parses a client-supplied id; anything malformed is simply not an order. */
    public static Optional<Long> parse(String text) {
        if (text == null || !Tsid.isValid(text)) {
            return Optional.empty();
        }
        return Optional.of(Tsid.from(text).toLong());
    }
}
