package io.flashsale.common;

import com.github.f4b6a3.tsid.Tsid;
import com.github.f4b6a3.tsid.TsidFactory;
import java.util.Optional;

/**
 * Order ids: 64-bit TSIDs (millisecond time + node + counter). Time-ordered, so inserts append
 * to the clustered primary key; generated in-process, so no database round trip. The node id
 * comes from {@code tsidcreator.node} (e.g. the pod ordinal) or is random per process; the
 * 12-bit counter makes collisions within one node and millisecond impossible.
 * Clients see the 13-character Crockford base32 form.
 */
public final class OrderIds {

    private static final TsidFactory FACTORY = TsidFactory.builder().build();

    private OrderIds() {
    }

    public static long next() {
        return FACTORY.create().toLong();
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
