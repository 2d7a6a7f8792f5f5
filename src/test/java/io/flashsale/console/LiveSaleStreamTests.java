package io.flashsale.console;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.flashsale.support.Fixtures;
import io.flashsale.support.LiveStream;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * API.md "Operations": the sales list and the live view's stream over plain HTTP (the browser
 * test, ConsoleBrowserTests, shows the same figures on the page). Who may call them is in
 * AccessMatrixTests.
 */
@QuarkusTest
class LiveSaleStreamTests {

    @TestHTTPResource("/")
    URL base;

    @Inject
    Fixtures fixtures;

    @Test
    void theSalesListShowsTheNewestSalesWithTheirFigures() {
        long older = fixtures.activeSale(3);
        long newer = fixtures.activeSale(4);
        Fixtures.purchase(newer, Fixtures.newBuyer()).then().statusCode(201);
        var listed = given().get("/api/sales?limit=2").then().statusCode(200)
                .body("size()", equalTo(2))
                .body("[0].stock", equalTo(4)).body("[0].available", equalTo(3))
                .body("[0].reserved", equalTo(1)).body("[0].paid", equalTo(0)).body("[0].state", equalTo("ACTIVE"))
                .body("[1].available", equalTo(3))
                .extract().jsonPath();
        assertEquals(newer, listed.getLong("[0].id"));
        assertEquals(older, listed.getLong("[1].id"));
        assertTrue(given().get("/api/sales").then().statusCode(200).extract().jsonPath().getList("id", Long.class)
                .contains(older));
        given().get("/api/sales?limit=0").then().statusCode(400).body("code", equalTo("INVALID_REQUEST"))
                .body("field", equalTo("limit"));
        given().get("/api/sales?limit=101").then().statusCode(400).body("field", equalTo("limit"));
    }

    @Test
    void theLiveViewSendsASnapshotEverySecondThatFollowsTheSale() throws Exception {
        long saleId = fixtures.activeSale(3);
        try (LiveStream stream = LiveStream.open(URI.create(base + "api/ops/sales/" + saleId + "/live"))) {
            JsonNode first = stream.next();
            assertEquals(saleId, first.get("saleId").asLong());
            assertEquals(3, first.at("/units/available").asLong());
            assertEquals("ACTIVE", first.get("state").asText());
            assertEquals(0, first.at("/purchases/intervalSeconds").asDouble());
            assertEquals("this instance", first.at("/purchases/scope").asText());
            assertTrue(first.at("/outbox/dead").isNumber(), first.toString());
            // hot-key detection runs; four purchases do not make a sale hot
            assertEquals(true, first.at("/hotKeys/detection").asBoolean());
            assertEquals(false, first.at("/hotKeys/hot").asBoolean());
            assertEquals(0, first.at("/hotKeys/flags").size());
            assertEquals(0, first.get("problems").size());

            for (int i = 0; i < 4; i++) {
                Fixtures.purchase(saleId, Fixtures.newBuyer());
            }
            // 3 sold, 1 refused; the next snapshots count them, with a rate and latency percentiles
            long started = System.nanoTime();
            JsonNode later = stream.nextMatching(s -> s.at("/units/available").asLong() == 0
                    && s.at("/purchases/totals/409 SOLD_OUT").asLong() == 1);
            assertEquals(3, later.at("/units/reserved").asLong());
            assertEquals(3, later.at("/purchases/totals/201 CREATED").asLong());
            assertEquals("SOLD_OUT", later.get("state").asText());
            JsonNode counted = stream.nextMatching(s -> s.at("/purchases/intervalSeconds").asDouble() > 0);
            assertTrue(counted.at("/purchases/intervalSeconds").asDouble() < 3, counted.toString());
            // snapshots keep coming, about one a second
            for (int i = 0; i < 3; i++) {
                stream.next();
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            assertTrue(seconds < 8, "5 snapshots took " + seconds + " s");
        }
    }

    @Test
    void ratesLatencyAndBatchesCoverTheLastInterval() throws Exception {
        long saleId = fixtures.activeSale(50);
        try (LiveStream stream = LiveStream.open(URI.create(base + "api/ops/sales/" + saleId + "/live"))) {
            stream.next();
            for (int i = 0; i < 10; i++) {
                Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201);
            }
            // each interval's rate x its length, summed until the rates fall back to 0, counts every
            // answer and every order written exactly once (one buyer after the other: a batch each)
            double answered = 0;
            double written = 0;
            double batches = 0;
            boolean percentiles = false;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                JsonNode s = stream.next();
                double seconds = s.at("/purchases/intervalSeconds").asDouble();
                double rate = s.at("/purchases/perSecond/201 CREATED").asDouble();
                answered += rate * seconds;
                double batchRate = s.at("/writer/batchesPerSecond").asDouble();
                batches += batchRate * seconds;
                if (batchRate > 0) {
                    written += batchRate * seconds * s.at("/writer/meanBatchSize").asDouble();
                } else {
                    assertTrue(s.at("/writer/meanBatchSize").isNull(), "no batch, no mean: " + s);
                }
                if (rate > 0) {
                    assertTrue(s.at("/purchases/p50Millis").asDouble() > 0, s.toString());
                    assertTrue(s.at("/purchases/p50Millis").asDouble() <= s.at("/purchases/p99Millis").asDouble(), s.toString());
                    percentiles = true;
                } else if (s.at("/purchases/totals/201 CREATED").asLong() == 10) {
                    assertTrue(s.at("/purchases/p99Millis").isNull(), "no answers, no percentile: " + s);
                    break;
                }
            }
            assertEquals(10, answered, 0.01, "answers counted by the rates");
            assertEquals(10, written, 0.01, "orders written, by the writer's figures");
            assertEquals(10, batches, 0.01, "batches, by the writer's figures");
            assertTrue(percentiles, "latency percentiles while buyers were answered");
        }
    }

    @Test
    void theConsolePageIsServedByTheServiceItself() {
        // static and public: the page holds no data, every figure needs the operator's token
        given().header(io.flashsale.support.AutoAuth.ANONYMOUS, "1").get("/console/").then().statusCode(200)
                .contentType(org.hamcrest.Matchers.startsWith("text/html"))
                .body(org.hamcrest.Matchers.containsString("operator console"));
        given().header(io.flashsale.support.AutoAuth.ANONYMOUS, "1").get("/console").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("operator console"));
        given().header(io.flashsale.support.AutoAuth.ANONYMOUS, "1").get("/console/console.js").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("text/event-stream"));
    }

    @Test
    void anUnknownSaleIsNotFoundAndABadIdIsInvalid() {
        given().get("/api/ops/sales/999999999/live").then().statusCode(404).body("code", equalTo("SALE_NOT_FOUND"));
        given().get("/api/ops/sales/abc/live").then().statusCode(400).body("code", equalTo("INVALID_REQUEST"));
    }
}
