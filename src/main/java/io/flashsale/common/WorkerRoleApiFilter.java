package io.flashsale.common;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/** A worker instance serves health and metrics only: the API paths answer 404 there. */
public class WorkerRoleApiFilter {

    private final boolean servesApi;

    public WorkerRoleApiFilter(RoleConfig role) {
        this.servesApi = role.role().servesApi();
    }

    @ServerRequestFilter(preMatching = true)
    public Response onlyApiInstancesServeTheApi(ContainerRequestContext request) {
        if (servesApi || !request.getUriInfo().getPath().startsWith("/api/")) {
            return null;
        }
        return Problem.of(404, "NOT_FOUND", "this instance runs the worker role; the API is served by api instances",
                Map.of());
    }
}
