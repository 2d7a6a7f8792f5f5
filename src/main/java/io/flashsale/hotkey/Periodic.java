package io.flashsale.hotkey;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import java.time.Duration;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * A step repeated every period (sub-second, which the Quarkus scheduler is not meant for). A slow
 * step skips ticks rather than queueing them; a failed one is logged and the next tick tries again.
 */
final class Periodic {

    private static final Logger LOG = Logger.getLogger(Periodic.class);

    private Periodic() {
    }

    static Cancellable every(Duration period, String what, Supplier<Uni<Void>> step) {
        return Multi.createFrom().ticks().startingAfter(period).every(period)
                .onOverflow().drop()
                .onItem().transformToUniAndConcatenate(tick -> Uni.createFrom().deferred(step::get)
                        .onFailure().invoke(e -> LOG.debugf("%s failed (%s); next period tries again", what, e))
                        .onFailure().recoverWithNull())
                .subscribe().with(ignored -> {
                }, failure -> LOG.errorf(failure, "%s stopped", what));
    }
}
