package io.flashsale.waitlist;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** Where a buyer stands (API.md "Waitlist"): WAITING with a 1-based position, or PROMOTED with an order. */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WaitlistStatus(String status, Long position, Long length, String orderId) {

    public static WaitlistStatus waiting(long position, long length) {
        return new WaitlistStatus("WAITING", position, length, null);
    }

    public static WaitlistStatus promoted(String orderId) {
        return new WaitlistStatus("PROMOTED", null, null, orderId);
    }

    /** Not waiting any more without a promotion: left, or the sale ended and closed its waitlist. */
    public static WaitlistStatus gone() {
        return new WaitlistStatus("GONE", null, null, null);
    }

    public boolean isFinal() {
        return !"WAITING".equals(status);
    }
}
