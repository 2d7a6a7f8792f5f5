package io.flashsale.common;

import io.smallrye.common.annotation.NonBlocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * A no-op endpoint: the baseline the benchmark compares the purchase paths against (same HTTP
 * stack, no business logic), and a cheap reachability probe for clients.
 */
@Path("/api/ping")
@jakarta.annotation.security.PermitAll
public class PingResource {

    @GET
    @NonBlocking // on the event loop like the purchase path, so the comparison is fair
    @Produces(MediaType.TEXT_PLAIN)
    public String ping() {
        return "pong";
    }
}
