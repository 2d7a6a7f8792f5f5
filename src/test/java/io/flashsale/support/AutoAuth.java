package io.flashsale.support;

import io.quarkus.test.junit.callback.QuarkusTestBeforeEachCallback;
import io.quarkus.test.junit.callback.QuarkusTestMethodContext;
import io.restassured.RestAssured;
import io.restassured.filter.Filter;
import io.restassured.filter.FilterContext;
import io.restassured.response.Response;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Contract tests call the API as its natural caller, so each request carries the token a real
 * client would send: operators create sales and use /api/ops, the payment provider confirms
 * payments, a buyer buys and watches their waitlist place as themselves (the {@code userId} in
 * the body or path names the subject), operators read and cancel orders. A request that already
 * has an Authorization header is left alone, and {@link #ANONYMOUS} sends none at all: that is
 * how the access tests (AccessMatrixTests) state who calls.
 */
public final class AutoAuth implements Filter, QuarkusTestBeforeEachCallback {

    /** Header that makes this filter send the request without any token (removed before sending). */
    public static final String ANONYMOUS = "X-Test-Anonymous";

    private static final Pattern USER_IN_BODY = Pattern.compile("\"userId\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern PURCHASE = Pattern.compile(".*/api/sales/\\d+/purchases$");
    private static final Pattern WAITLIST = Pattern.compile(".*/api/sales/[^/]+/waitlist/([^/?]+).*");
    private static final AutoAuth INSTANCE = new AutoAuth();
    private static volatile boolean installed;

    /** Installs the filter for every RestAssured call of this JVM (idempotent). */
    public static synchronized void install() {
        if (!installed) {
            RestAssured.filters(INSTANCE);
            installed = true;
        }
    }

    @Override
    public void beforeEach(QuarkusTestMethodContext context) {
        install();
    }

    @Override
    public Response filter(FilterableRequestSpecification request, FilterableResponseSpecification response,
            FilterContext context) {
        if (request.getHeaders().hasHeaderWithName(ANONYMOUS)) {
            request.removeHeader(ANONYMOUS);
        } else if (!request.getHeaders().hasHeaderWithName("Authorization")) {
            String token = naturalCaller(request.getMethod(), request.getURI(), request.getBody());
            if (token != null) {
                request.header("Authorization", Tokens.bearer(token));
            }
        }
        return context.next(request, response);
    }

    private static String naturalCaller(String method, String uri, Object body) {
        String path = uri.replaceFirst("^https?://[^/]+", "").replaceFirst("\\?.*$", "");
        if (path.equals("/api/sales") || path.startsWith("/api/ops/")) {
            return Tokens.operator();
        }
        if (path.endsWith("/payment")) {
            return Tokens.payments();
        }
        if (PURCHASE.matcher(path).matches()) {
            Matcher user = USER_IN_BODY.matcher(body == null ? "" : body.toString());
            return Tokens.buyer(user.find() ? user.group(1) : "test-buyer");
        }
        Matcher waitlist = WAITLIST.matcher(path);
        if (waitlist.matches()) {
            return waitlist.group(1).equals("me") ? Tokens.buyer("test-buyer") : Tokens.buyer(waitlist.group(1));
        }
        if (path.startsWith("/api/orders/")) {
            return Tokens.operator();
        }
        if (path.startsWith("/api/me/")) {
            return Tokens.buyer("test-buyer");
        }
        return null; // public endpoints (sale page, ping; /q/* is on the management port)
    }
}
