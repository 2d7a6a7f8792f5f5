package io.flashsale.hotkey;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import java.time.Duration;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * One pub/sub subscription that outlives its connection, as the sale-events subscription does
 * (sale/SaleCatalog): one connection to one Redis node (on a cluster, every node hears every
 * PUBLISH); when it ends (the node died, failed over, restarted) it subscribes again on whichever
 * node answers. Messages lost meanwhile only delay detection: both sides publish every period.
 */
final class ChannelSubscription {

    private static final Logger LOG = Logger.getLogger(ChannelSubscription.class);
    private static final Duration RESUBSCRIBE_DELAY = Duration.ofMillis(500);

    private final ReactiveRedisDataSource redis;
    private final String channel;
    private final Consumer<String> onMessage;
    private volatile boolean stopping;
    private volatile Cancellable current;

    ChannelSubscription(ReactiveRedisDataSource redis, String channel, Consumer<String> onMessage) {
        this.redis = redis;
        this.channel = channel;
        this.onMessage = onMessage;
    }

    void start() {
        stopping = false;
        listen();
    }

    void stop() {
        stopping = true;
        Cancellable subscription = current;
        if (subscription != null) {
            subscription.cancel();
        }
    }

    private void listen() {
        if (stopping) {
            return;
        }
        current = redis.pubsub(String.class).subscribe(channel)
                .subscribe().with(this::deliver, failure -> resubscribe("failed: " + failure), () -> resubscribe("ended"));
    }

    private void deliver(String message) {
        try {
            onMessage.accept(message);
        } catch (RuntimeException e) {
            // one bad message must not end the subscription
            LOG.warnf(e, "hot-key message on %s not handled", channel);
        }
    }

    private void resubscribe(String why) {
        if (stopping) {
            return;
        }
        LOG.warnf("hot-key subscription to %s %s; subscribing again", channel, why);
        Uni.createFrom().voidItem().onItem().delayIt().by(RESUBSCRIBE_DELAY)
                .subscribe().with(ignored -> listen(), failure -> resubscribe("failed: " + failure));
    }
}
