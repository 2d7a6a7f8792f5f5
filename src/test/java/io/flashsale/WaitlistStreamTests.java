package io.flashsale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flashsale.support.Fixtures;
import io.flashsale.support.Orders;
import io.flashsale.support.Waitlists;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The SSE stream of a waiting buyer: position 2 -> 1 -> promoted, then the end. */
@QuarkusTest
class WaitlistStreamTests {

    @Inject
    Fixtures fixtures;

    @TestHTTPResource("/")
    URL base;

    /** A stream is a connection held for minutes: a buyer may hold three, not more. */
    @Test
    void aBuyerHoldsAtMostThreeStreams() throws Exception {
        long saleId = fixtures.activeSale(1);
        Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201);
        String watcher = Fixtures.newBuyer();
        Waitlists.join(saleId, watcher).then().statusCode(202);
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest open = HttpRequest.newBuilder(base.toURI().resolve("/api/sales/" + saleId + "/waitlist/me/events"))
                .header("Accept", "text/event-stream")
                .header("Authorization", io.flashsale.support.Tokens.bearer(io.flashsale.support.Tokens.buyer(watcher)))
                .build();
        List<HttpResponse<InputStream>> streams = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            HttpResponse<InputStream> stream = http.send(open, HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, stream.statusCode());
            streams.add(stream);
        }
        HttpResponse<String> fourth = http.send(open, HttpResponse.BodyHandlers.ofString());
        assertEquals(429, fourth.statusCode(), fourth.body());
        assertTrue(fourth.body().contains("RATE_LIMITED"), fourth.body());
        streams.remove(0).body().close(); // one hangs up: its slot comes back
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            HttpResponse<InputStream> again = http.send(open, HttpResponse.BodyHandlers.ofInputStream());
            if (again.statusCode() == 200) {
                streams.add(again);
                return true;
            }
            again.body().close();
            return false;
        });
        for (HttpResponse<InputStream> stream : streams) {
            stream.body().close();
        }
    }

    @Test
    void waiterSeesPositionMoveThenPromotion() throws Exception {
        long saleId = fixtures.activeSale(1);
        String holder = Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201).extract().path("orderId");
        String first = Fixtures.newBuyer();
        String watcher = Fixtures.newBuyer();
        Waitlists.join(saleId, first).then().statusCode(202);
        Waitlists.join(saleId, watcher).then().statusCode(202);

        HttpResponse<InputStream> stream = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                base.toURI().resolve("/api/sales/" + saleId + "/waitlist/" + watcher + "/events"))
                .header("Accept", "text/event-stream")
                .header("Authorization", io.flashsale.support.Tokens.bearer(io.flashsale.support.Tokens.buyer(watcher)))
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, stream.statusCode());
        List<String> events = new ArrayList<>();
        CompletableFuture<Void> reading = CompletableFuture.runAsync(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
                String name = null;
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    if (line.startsWith("event:")) {
                        name = line.substring(6).trim();
                    } else if (line.startsWith("data:")) {
                        synchronized (events) {
                            events.add(name + " " + line.substring(5).trim());
                        }
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        awaitEvents(events, 1);

        Orders.cancel(holder).then().statusCode(200); // first is promoted, watcher moves to 1
        awaitEvents(events, 2);
        String firstOrder = Waitlists.status(saleId, first).then().extract().path("orderId");
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                Orders.get(firstOrder).then().statusCode(200));
        Orders.cancel(firstOrder).then().statusCode(200); // watcher is promoted

        reading.get(15, TimeUnit.SECONDS); // the stream ends by itself after "promoted"
        String promotedOrder = Waitlists.status(saleId, watcher).then().extract().path("orderId");
        assertEquals(3, events.size(), events.toString());
        assertTrue(events.get(0).startsWith("position ") && events.get(0).contains("\"position\":2"), events.toString());
        assertTrue(events.get(1).startsWith("position ") && events.get(1).contains("\"position\":1"), events.toString());
        assertTrue(events.get(2).startsWith("promoted ") && events.get(2).contains(promotedOrder), events.toString());
    }

    @Test
    void streamForSomeoneNotWaitingIsNotFound() {
        long saleId = fixtures.activeSale(1);
        io.restassured.RestAssured.given().accept("text/event-stream")
                .get("/api/sales/" + saleId + "/waitlist/nobody/events")
                .then().statusCode(404);
    }

    private static void awaitEvents(List<String> events, int count) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            synchronized (events) {
                return events.size() >= count;
            }
        });
    }
}
