package io.flashsale.waitlist;

import io.flashsale.common.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Open waitlist streams are connections held for minutes: a buyer may hold a few (a phone and a
 * laptop), an instance a bounded number, so one client cannot exhaust an instance's connections.
 * Only buyers with a stream open have an entry (removed when their last stream ends).
 */
@ApplicationScoped
public class StreamSlots {

    private final WaitlistConfig config;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<String, AtomicInteger> perBuyer = new ConcurrentHashMap<>();

    public StreamSlots(WaitlistConfig config) {
        this.config = config;
    }

    /** Takes a slot or throws 429; the caller must {@link #release} it when the stream ends. */
    public void acquire(String buyer) {
        if (open.incrementAndGet() > config.maxStreams()) {
            open.decrementAndGet();
            throw limited("this instance serves its maximum of waitlist streams");
        }
        boolean[] refused = {false};
        perBuyer.compute(buyer, (k, count) -> {
            AtomicInteger c = count == null ? new AtomicInteger() : count;
            if (c.get() >= config.maxStreamsPerBuyer()) {
                refused[0] = true;
            } else {
                c.incrementAndGet();
            }
            return c.get() == 0 ? null : c;
        });
        if (refused[0]) {
            open.decrementAndGet();
            throw limited("at most " + config.maxStreamsPerBuyer() + " waitlist streams per buyer");
        }
    }

    public void release(String buyer) {
        open.decrementAndGet();
        perBuyer.computeIfPresent(buyer, (k, c) -> c.decrementAndGet() <= 0 ? null : c);
    }

    int open() {
        return open.get();
    }

    private static ApiException limited(String detail) {
        return new ApiException(429, "RATE_LIMITED", detail);
    }
}
