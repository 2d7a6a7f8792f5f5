package io.flashsale.common;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * A no-op endpoint: the baseline the benchmark compares the purchase paths against (same HTTP
 * stack, no business logic), and a cheap reachability probe for clients.
 */
@Path("/api/ping")
public class PingResource {

    @GET
    @Produces(MediaType.TEXT_PLAIN)
    public String ping() {
        return "pong";
    }
}
