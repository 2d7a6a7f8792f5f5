package io.flashsale.hotkey;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Events of the last second, lock-free: a ring of {@value #SLOTS} slots of {@value #SLOT_MILLIS}
 * ms, each a {@link LongAdder} (no contention between the event loops counting at once) stamped
 * with the 100 ms tick it counts. A slot whose stamp is older than the window is reset by the
 * first event of its new tick. The race at that reset (an event counted into the slot just before
 * another thread zeroes it) can lose a few events at a slot boundary: this is a rate estimate for
 * a threshold, not an audit, and a lock on the request path would cost more than it buys.
 */
public final class SlidingWindowCounter {

    static final int SLOTS = 10;
    static final long SLOT_MILLIS = 100;
    static final long WINDOW_MILLIS = SLOTS * SLOT_MILLIS;
    /** A counter younger than this still divides by it: one event is not a rate of 1,000/s. */
    static final long SHORTEST_SPAN_MILLIS = 250;

    private final LongAdder[] counts = new LongAdder[SLOTS];
    private final AtomicLongArray ticks = new AtomicLongArray(SLOTS);
    private final long createdMillis;
    private volatile long lastEventMillis;

    public SlidingWindowCounter(long nowMillis) {
        for (int i = 0; i < SLOTS; i++) {
            counts[i] = new LongAdder();
            ticks.set(i, Long.MIN_VALUE);
        }
        createdMillis = nowMillis;
        lastEventMillis = nowMillis;
    }

    public void increment(long nowMillis) {
        long tick = nowMillis / SLOT_MILLIS;
        int slot = (int) Math.floorMod(tick, (long) SLOTS);
        long stamped = ticks.get(slot);
        if (stamped != tick && ticks.compareAndSet(slot, stamped, tick)) {
            counts[slot].reset();
        }
        counts[slot].increment();
        lastEventMillis = nowMillis;
    }

    /** Events in the window ending now: the current (partial) slot and the nine before it. */
    public long count(long nowMillis) {
        long tick = nowMillis / SLOT_MILLIS;
        long total = 0;
        for (int i = 0; i < SLOTS; i++) {
            long stamped = ticks.get(i);
            if (stamped <= tick && stamped > tick - SLOTS) {
                total += counts[i].sum();
            }
        }
        return total;
    }

    /** Events per second over the window (over the counter's life while it is younger than the window). */
    public double ratePerSecond(long nowMillis) {
        long windowSpan = (SLOTS - 1) * SLOT_MILLIS + Math.floorMod(nowMillis, SLOT_MILLIS) + 1;
        long lived = Math.max(SHORTEST_SPAN_MILLIS, nowMillis - createdMillis + 1);
        return count(nowMillis) * 1000.0 / Math.min(windowSpan, lived);
    }

    /** True once nothing was counted for a whole window: the counter can be dropped. */
    public boolean idle(long nowMillis) {
        return nowMillis - lastEventMillis > WINDOW_MILLIS;
    }
}
