package io.flashsale.hotkey;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Local caching of a hot sale's per-buyer reads (the waitlist status a waiting crowd polls, and the
 * position streams, which re-read on every move of the queue): while the sale is flagged hot, a
 * buyer's answer is reused on this instance for {@code flashsale.hotkey.read-cache-ttl} (1 s), so
 * each buyer costs the sale's shard at most one read per second per instance however often they
 * ask. Only found answers are kept (a buyer who just joined is never told "not in the waitlist"
 * from memory), and a buyer's own leave drops their entry. A cold sale is read from Redis every
 * time, as before. Counted in {@code flashsale.hotkey.reads{family, from=memory|redis}}.
 */
@ApplicationScoped
public class HotReads {

    static final int MAX_ENTRIES = 200_000;

    private record Key(long saleId, KeyFamily family, String who) {
    }

    private final HotSet hotSet;
    private final Cache<Key, Object> answers;
    private final Counter[] fromMemory = new Counter[KeyFamily.all().length];
    private final Counter[] fromRedis = new Counter[KeyFamily.all().length];

    public HotReads(HotSet hotSet, HotKeyConfig config, MeterRegistry meters) {
        this.hotSet = hotSet;
        this.answers = Caffeine.newBuilder().expireAfterWrite(config.readCacheTtl()).maximumSize(MAX_ENTRIES).build();
        for (KeyFamily family : KeyFamily.all()) {
            fromMemory[family.ordinal()] = meters.counter("flashsale.hotkey.reads", "family", family.label(), "from",
                    "memory");
            fromRedis[family.ordinal()] = meters.counter("flashsale.hotkey.reads", "family", family.label(), "from",
                    "redis");
        }
    }

    /** {@code who}'s answer: from memory while the sale is hot and a found answer is fresh enough, else loaded. */
    @SuppressWarnings("unchecked")
    public <T> Uni<Optional<T>> read(long saleId, KeyFamily family, String who, Supplier<Uni<Optional<T>>> load) {
        if (!hotSet.isHot(saleId)) {
            fromRedis[family.ordinal()].increment();
            return Uni.createFrom().deferred(load::get);
        }
        Key key = new Key(saleId, family, who);
        Object cached = answers.getIfPresent(key);
        if (cached != null) {
            fromMemory[family.ordinal()].increment();
            return Uni.createFrom().item(Optional.of((T) cached));
        }
        fromRedis[family.ordinal()].increment();
        return Uni.createFrom().deferred(load::get).invoke(found -> found.ifPresent(answer -> answers.put(key, answer)));
    }

    /** The caller changed the answer (e.g. left the waitlist): the next read goes to Redis. */
    public void forget(long saleId, KeyFamily family, String who) {
        answers.invalidate(new Key(saleId, family, who));
    }
}
