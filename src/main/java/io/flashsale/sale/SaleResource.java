package io.flashsale.sale;

import io.flashsale.hotkey.AccessCounters;
import io.flashsale.hotkey.KeyFamily;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import io.smallrye.mutiny.Uni;
import java.net.URI;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** Sales (API.md "Sales"): operators create and list them (blocking: the database); the page is public. */
@Path("/api/sales")
@Produces(MediaType.APPLICATION_JSON)
public class SaleResource {

    static final int DEFAULT_LIST_LIMIT = 50;
    static final int MAX_LIST_LIMIT = 100;

    private final SaleService sales;
    private final SalePage page;
    private final AccessCounters accesses;

    public SaleResource(SaleService sales, SalePage page, AccessCounters accesses) {
        this.sales = sales;
        this.page = page;
        this.accesses = accesses;
    }

    @POST
    @jakarta.annotation.security.RolesAllowed(io.flashsale.common.Access.OPERATOR)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create a flash sale; its stock is primed in Redis before the answer")
    @APIResponse(responseCode = "201", description = "Created")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST")
    @APIResponse(responseCode = "503", description = "UNAVAILABLE")
    public Response create(@RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON,
            examples = @ExampleObject(name = "phone launch", value = """
                    {"sku":"PHONE-X","title":"Phone X launch","priceCents":49900,"stock":100,
                     "startsAt":"2026-12-01T10:00:00Z","endsAt":"2026-12-01T11:00:00Z","paymentTimeoutSeconds":900}
                    """))) SaleRequest request) {
        if (request == null) {
            throw io.flashsale.common.ApiException.invalid("body", "a JSON body is required");
        }
        SaleView sale = sales.create(request);
        return Response.created(URI.create("/api/sales/" + sale.id())).entity(sale).build();
    }

    @GET
    @jakarta.annotation.security.RolesAllowed(io.flashsale.common.Access.OPERATOR)
    @Operation(summary = "The newest sales first, with their live figures (null where Redis does not hold the sale)")
    @APIResponse(responseCode = "200", description = "The sales")
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST (limit out of 1..100)")
    public java.util.List<SaleListItem> list(@jakarta.ws.rs.QueryParam("limit") String limit) {
        return sales.list(limit(limit));
    }

    private static int limit(String text) {
        if (text == null) {
            return DEFAULT_LIST_LIMIT;
        }
        try {
            int value = Integer.parseInt(text);
            if (value >= 1 && value <= MAX_LIST_LIMIT) {
                return value;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw io.flashsale.common.ApiException.invalid("limit", "query parameter 'limit' must be 1.." + MAX_LIST_LIMIT);
    }

    @GET
    @Path("/{saleId}")
    @jakarta.annotation.security.PermitAll // the crowd's page: public
    @Operation(summary = "A sale with live available / reserved / paid counters (from Redis, up to 1 s old)")
    @APIResponse(responseCode = "200", description = "The sale; Cache-Control: max-age=1 and an ETag")
    @APIResponse(responseCode = "304", description = "Not modified (If-None-Match matched the ETag)")
    @APIResponse(responseCode = "404", description = "SALE_NOT_FOUND")
    public Uni<Response> get(@PathParam("saleId") String saleId, @HeaderParam("If-None-Match") String ifNoneMatch) {
        long id = SaleIds.parse(saleId);
        accesses.count(id, KeyFamily.PAGE);
        return page.render(id).map(rendered -> {
            boolean unchanged = ifNoneMatch != null
                    && (ifNoneMatch.trim().equals("*") || java.util.Arrays.stream(ifNoneMatch.split(","))
                            .map(String::trim).anyMatch(rendered.etag()::equals));
            Response.ResponseBuilder answer = unchanged
                    ? Response.notModified()
                    : Response.ok(rendered.body(), MediaType.APPLICATION_JSON_TYPE);
            return answer.header("ETag", rendered.etag()).header("Cache-Control", "public, max-age=1").build();
        });
    }
}
