package io.flashsale.order;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Payment timers of API.md; a sale may override expiry with its own paymentTimeoutSeconds. */
@ConfigMapping(prefix = "flashsale.payment")
public interface PaymentConfig {

    /** A PENDING_PAYMENT order this old gets one reminder event. */
    @WithDefault("30M")
    Duration remindAfter();

    /** A PENDING_PAYMENT order this old is expired and its unit released. */
    @WithDefault("60M")
    Duration expireAfter();
}
