package io.flashsale;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flashsale.order.ReservationReconciler;
import io.flashsale.support.Fixtures;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.scheduler.Scheduler;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Buyers who hang up mid-purchase must not leak stock: once Redis reserved a unit, the order is
 * committed (or the unit released) whether or not anyone still listens. The reconciler is paused
 * for the test, so the purchase path itself is what keeps conservation: with the reconciler on, a
 * leaked reservation would be fenced and freed after the grace period and the leak hidden.
 */
@QuarkusTest
class ClientDisconnectTests {

    @Inject
    Fixtures fixtures;

    @TestHTTPResource("/")
    URL base;

    @Inject
    Scheduler scheduler;

    @Test
    void abandonedPurchasesStillEndWithAnOrderOrAReleasedUnit() throws Exception {
        scheduler.pause(ReservationReconciler.JOB);
        org.junit.jupiter.api.Assertions.assertTrue(scheduler.isPaused(ReservationReconciler.JOB),
                "the reconciler job is known by its identity and paused");
        try {
            abandonPurchasesAndCheckConservation();
        } finally {
            scheduler.resume(ReservationReconciler.JOB);
        }
    }

    private void abandonPurchasesAndCheckConservation() throws Exception {
        int stock = 100_000;
        long saleId = fixtures.activeSale(stock);
        HttpClient http = HttpClient.newHttpClient();
        URI uri = base.toURI().resolve("/api/sales/" + saleId + "/purchases");
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            calls.add(http.sendAsync(HttpRequest.newBuilder(uri)
                    .timeout(Duration.ofMillis(1 + i % 40)) // many give up before the answer
                    .header("Content-Type", "application/json")
                    .header("Authorization", io.flashsale.support.Tokens.bearer(
                            io.flashsale.support.Tokens.buyer("gone-" + saleId + "-" + i)))
                    .POST(HttpRequest.BodyPublishers.ofString("{}"))
                    .build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> call : calls) {
            call.handle((response, failure) -> null).join();
        }
        // the service works through the abandoned requests (slowly on a loaded machine); every
        // reservation must meet its order, and a leaked one never would
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> fixtures.redisReservations(saleId) == fixtures.count(
                        "SELECT COUNT(*) FROM orders WHERE sale_id = ? AND status = 'PENDING_PAYMENT'", saleId));
        long pending = fixtures.count("SELECT COUNT(*) FROM orders WHERE sale_id = ? AND status = 'PENDING_PAYMENT'",
                saleId);
        assertEquals(pending, fixtures.redisReservations(saleId), "every reservation has its order");
        assertEquals(pending, fixtures.redisBuyers(saleId));
        fixtures.assertConservation(saleId, stock);
        assertEquals(0, fixtures.count("SELECT COUNT(*) FROM orders WHERE sale_id = ? AND status = 'VOID'", saleId),
                "no order id was fenced: nothing was settled by the reconciler");
    }
}
