package io.flashsale;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flashsale.support.AutoAuth;
import io.flashsale.support.Fixtures;
import io.flashsale.support.Tokens;
import io.flashsale.support.Waitlists;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * API.md "Identity and roles", as a matrix: every endpoint x no token / bad tokens / wrong role /
 * another buyer / the right caller. Refusals are problem+json (401 with WWW-Authenticate: Bearer,
 * 403) and change nothing.
 */
@QuarkusTest
class AccessMatrixTests {

    @Inject
    Fixtures fixtures;

    private long saleId;
    private String owner;
    private String orderId;

    /** One endpoint: how to call it, which roles may, and whether a buyer must own the resource. */
    private record Endpoint(String name, Function<RequestSpecification, Response> call, String role, boolean owned) {
    }

    @BeforeEach
    void aSaleWithAnOrderAndAWaiter() {
        saleId = fixtures.activeSale(1);
        owner = Fixtures.newBuyer();
        orderId = Fixtures.purchase(saleId, owner).then().statusCode(201).extract().path("orderId");
        Waitlists.join(saleId, owner + "-w").then().statusCode(202);
    }

    private List<Endpoint> endpoints() {
        String waiter = owner + "-w";
        String sale = Fixtures.saleJson(5, java.time.Instant.now().minusSeconds(1), java.time.Instant.now().plusSeconds(3600));
        List<Endpoint> all = new ArrayList<>();
        all.add(new Endpoint("create sale", r -> r.contentType(ContentType.JSON).body(sale).post("/api/sales"), "operator", false));
        all.add(new Endpoint("purchase", r -> r.contentType(ContentType.JSON).body("{}").post("/api/sales/" + saleId + "/purchases"), "buyer", false));
        all.add(new Endpoint("waitlist status", r -> r.get("/api/sales/" + saleId + "/waitlist/" + waiter), "buyer", true));
        all.add(new Endpoint("waitlist leave", r -> r.delete("/api/sales/" + saleId + "/waitlist/" + waiter), "buyer", true));
        all.add(new Endpoint("order", r -> r.get("/api/orders/" + orderId), "buyer", true));
        all.add(new Endpoint("cancel", r -> r.post("/api/orders/" + orderId + "/cancel"), "buyer", true));
        all.add(new Endpoint("payment", r -> r.contentType(ContentType.JSON)
                .body("{\"paymentId\":\"p-" + orderId + "\",\"amountCents\":1999}").post("/api/orders/" + orderId + "/payment"), "payments", false));
        all.add(new Endpoint("my orders", r -> r.get("/api/me/orders"), "buyer", false));
        all.add(new Endpoint("dead events", r -> r.get("/api/ops/outbox/dead"), "operator", false));
        all.add(new Endpoint("requeue all", r -> r.post("/api/ops/outbox/dead/requeue"), "operator", false));
        all.add(new Endpoint("list sales", r -> r.get("/api/sales"), "operator", false));
        // the console's live view (SSE): refusals come before the stream opens, as problem+json; a
        // stream opened by mistake never ends, so the call is bounded and fails instead of hanging
        all.add(new Endpoint("live view", r -> bounded(() -> r.get("/api/ops/sales/" + saleId + "/live")), "operator", false));
        return all;
    }

    /** A call that must be answered at once (a refusal), not become an endless stream. */
    private static Response bounded(java.util.function.Supplier<Response> call) {
        try {
            return java.util.concurrent.CompletableFuture.supplyAsync(call).get(15, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("no answer within 15 s: the stream was opened instead of refused");
        } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    private static RequestSpecification as(String token) {
        return token == null ? given().header(AutoAuth.ANONYMOUS, "1") : given().header("Authorization", Tokens.bearer(token));
    }

    @Test
    void withoutAValidTokenEveryProtectedEndpointAnswers401AndChangesNothing() {
        List<String> badTokens = List.of(Tokens.expired(owner), Tokens.wrongIssuer(owner), Tokens.foreignSignature(owner),
                Tokens.unsigned(owner), Tokens.tampered(owner), "not-a-jwt", "a.b.c");
        for (Endpoint endpoint : endpoints()) {
            Response anonymous = endpoint.call().apply(as(null));
            assertRefused(endpoint.name() + " without token", anonymous, 401, "UNAUTHENTICATED");
            assertEquals("Bearer", anonymous.header("WWW-Authenticate"), endpoint.name());
            for (String bad : badTokens) {
                Response refused = endpoint.call().apply(as(bad));
                assertRefused(endpoint.name() + " with token " + bad.substring(0, Math.min(20, bad.length())), refused, 401,
                        "UNAUTHENTICATED");
                org.hamcrest.MatcherAssert.assertThat(refused.header("WWW-Authenticate"), startsWith("Bearer"));
            }
        }
        assertNothingChanged();
    }

    @Test
    void aValidTokenWithoutTheRoleIsForbidden() {
        for (Endpoint endpoint : endpoints()) {
            for (String role : List.of("buyer", "operator", "payments", "auditor")) {
                boolean allowed = role.equals(endpoint.role()) || (endpoint.owned() && role.equals("operator"));
                if (!allowed) {
                    // the owner themself, so only the role can be the reason
                    assertRefused(endpoint.name() + " as " + role, endpoint.call().apply(as(Tokens.token(owner, role))),
                            403, "FORBIDDEN");
                }
            }
        }
        assertNothingChanged();
    }

    @Test
    void anotherBuyerCannotTouchABuyersOrderOrWaitlistPlace() {
        String stranger = Tokens.buyer("stranger-" + saleId);
        for (Endpoint endpoint : endpoints()) {
            if (endpoint.owned()) {
                assertRefused(endpoint.name() + " by another buyer", endpoint.call().apply(as(stranger)), 403, "FORBIDDEN");
            }
        }
        // and the payment provider's role is the only way to PAID: a buyer paying their own order is refused
        assertRefused("buyer pays own order", as(Tokens.buyer(owner)).contentType(ContentType.JSON)
                .body("{\"paymentId\":\"self\",\"amountCents\":1999}").post("/api/orders/" + orderId + "/payment"), 403, "FORBIDDEN");
        assertNothingChanged();
    }

    @Test
    void theRightCallerIsServed() {
        String waiter = owner + "-w";
        as(Tokens.buyer(owner)).get("/api/orders/" + orderId).then().statusCode(200).body("userId", equalTo(owner));
        as(Tokens.operator()).get("/api/orders/" + orderId).then().statusCode(200);
        as(Tokens.buyer(waiter)).get("/api/sales/" + saleId + "/waitlist/me").then().statusCode(200)
                .body("status", equalTo("WAITING"));
        as(Tokens.buyer(waiter)).get("/api/sales/" + saleId + "/waitlist/" + waiter).then().statusCode(200);
        as(Tokens.operator()).get("/api/sales/" + saleId + "/waitlist/" + waiter).then().statusCode(200);
        as(Tokens.buyer(owner)).get("/api/me/orders").then().statusCode(200)
                .body("orderId", org.hamcrest.Matchers.hasItem(orderId));
        as(Tokens.buyer(owner)).get("/api/me/orders?saleId=" + saleId + "&limit=1").then().statusCode(200)
                .body("size()", equalTo(1)).body("[0].orderId", equalTo(orderId));
        as(Tokens.buyer(owner)).get("/api/me/orders?limit=0").then().statusCode(400).body("field", equalTo("limit"));
        as(Tokens.buyer("nobody-" + saleId)).get("/api/me/orders").then().statusCode(200).body("size()", equalTo(0));
        // the sale page is public; the list of sales is the operators'
        as(null).get("/api/sales/" + saleId).then().statusCode(200);
        as(Tokens.operator()).get("/api/sales?limit=1").then().statusCode(200).body("size()", equalTo(1));
        as(Tokens.payments()).contentType(ContentType.JSON).body("{\"paymentId\":\"psp-" + orderId + "\",\"amountCents\":1999}")
                .post("/api/orders/" + orderId + "/payment").then().statusCode(200).body("status", equalTo("PAID"));
        as(Tokens.buyer(owner)).post("/api/orders/" + orderId + "/cancel").then().statusCode(409)
                .body("code", equalTo("ORDER_NOT_CANCELLABLE"));
    }

    /** The service remembers verified tokens; that must never stretch a token past its exp. */
    @Test
    void aRememberedTokenStillExpiresOnTime() throws InterruptedException {
        String token = Tokens.expiringIn(owner, 3, "buyer");
        for (int i = 0; i < 3; i++) {
            as(token).get("/api/me/orders").then().statusCode(200);
        }
        Thread.sleep(4_500); // past exp (and the 1 s clock tolerance)
        assertRefused("a remembered token after its exp", as(token).get("/api/me/orders"), 401, "UNAUTHENTICATED");
    }

    @Test
    void aBuyerWhoseResponseWasLostFindsTheirOrder() {
        // the 201 never arrived; the order is there all the same, and only for its buyer
        as(Tokens.buyer(owner)).get("/api/me/orders?saleId=" + saleId).then().statusCode(200)
                .body("[0].orderId", equalTo(orderId)).body("[0].status", equalTo("PENDING_PAYMENT"));
        as(Tokens.buyer("stranger-" + saleId)).get("/api/me/orders?saleId=" + saleId).then().statusCode(200)
                .body("size()", equalTo(0));
    }

    private void assertNothingChanged() {
        assertEquals(1, fixtures.count("SELECT COUNT(*) FROM orders WHERE sale_id = ? AND status = 'PENDING_PAYMENT'", saleId));
        assertEquals(1, fixtures.count("SELECT COUNT(*) FROM orders WHERE sale_id = ?", saleId));
        Waitlists.status(saleId, owner + "-w").then().statusCode(200).body("status", equalTo("WAITING"));
        fixtures.assertConservation(saleId, 1);
    }

    private static void assertRefused(String what, Response response, int status, String code) {
        assertEquals(status, response.statusCode(), what + ": " + response.asString());
        assertEquals("application/problem+json", response.contentType().split(";")[0], what);
        assertEquals(code, response.jsonPath().getString("code"), what);
    }
}
