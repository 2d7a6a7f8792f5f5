package io.flashsale.hotkey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The per-(sale, family) window: counts the last second, forgets older slots, tolerates concurrent counting. */
class SlidingWindowCounterTests {

    private static final long T0 = 1_700_000_000_000L;

    @Test
    void countsTheLastSecondAndForgetsWhatIsOlder() {
        SlidingWindowCounter counter = new SlidingWindowCounter(T0);
        for (int ms = 0; ms < 1000; ms += 10) { // 100 events spread over one second
            counter.increment(T0 + ms);
        }
        assertEquals(100, counter.count(T0 + 999));
        assertEquals(100.0, counter.ratePerSecond(T0 + 999), 1.0);
        // 500 ms later the first half of them has left the window
        assertEquals(50, counter.count(T0 + 1499));
        // a whole window later nothing is left, and the counter may be dropped
        assertEquals(0, counter.count(T0 + 2000));
        assertEquals(0.0, counter.ratePerSecond(T0 + 2000));
        assertTrue(counter.idle(T0 + 2000));
        assertFalse(counter.idle(T0 + 1500));
    }

    @Test
    void aSlotReusedAfterTheWindowStartsFromZero() {
        SlidingWindowCounter counter = new SlidingWindowCounter(T0);
        for (int i = 0; i < 50; i++) {
            counter.increment(T0 + 5); // slot 0 of the first second
        }
        counter.increment(T0 + 1005); // the same slot, one window later
        assertEquals(1, counter.count(T0 + 1005));
    }

    @Test
    void aBurstIsARateAtOnceNotAfterAWholeSecond() {
        SlidingWindowCounter counter = new SlidingWindowCounter(T0);
        for (int i = 0; i < 300; i++) { // 300 events in the first 300 ms: 1,000/s
            counter.increment(T0 + i);
        }
        assertEquals(1000.0, counter.ratePerSecond(T0 + 299), 5.0);
        // but a handful of events in the first milliseconds is no huge rate: the span is at least 250 ms
        SlidingWindowCounter fresh = new SlidingWindowCounter(T0);
        fresh.increment(T0);
        assertEquals(4.0, fresh.ratePerSecond(T0 + 1), 0.01);
    }

    @Test
    void concurrentCountingWithinOneSlotLosesNothing() throws InterruptedException {
        SlidingWindowCounter counter = new SlidingWindowCounter(T0);
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 25_000; i++) {
                    counter.increment(T0 + 50);
                }
            });
            thread.start();
            threads.add(thread);
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        assertEquals(100_000, counter.count(T0 + 60));
    }
}
