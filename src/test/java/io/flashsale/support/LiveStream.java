package io.flashsale.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/** The operator console's live stream (GET /api/ops/sales/{id}/live) read line by line on its own thread; snapshots handed over as parsed JSON. */
public final class LiveStream implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final BlockingQueue<JsonNode> events = new ArrayBlockingQueue<>(1000);
    private final Thread reader;
    private volatile java.io.InputStream body;

    private LiveStream(URI uri) throws Exception {
        HttpResponse<java.io.InputStream> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri)
                .header("Authorization", Tokens.bearer(Tokens.operator())).header("Accept", "text/event-stream")
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        body = response.body();
        reader = new Thread(this::read, "live-stream-reader");
        reader.setDaemon(true);
        reader.start();
    }

    public static LiveStream open(URI uri) throws Exception {
        return new LiveStream(uri);
    }

    private void read() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String event = null;
            List<String> data = new ArrayList<>();
            for (String line; (line = lines.readLine()) != null;) {
                if (line.isEmpty()) {
                    if ("snapshot".equals(event) && !data.isEmpty()) {
                        events.put(JSON.readTree(String.join("\n", data)));
                    }
                    event = null;
                    data.clear();
                } else if (line.startsWith("event:")) {
                    event = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    data.add(line.substring(5).trim());
                }
            }
        } catch (Exception e) {
            // closed by the test
        }
    }

    public JsonNode next() throws InterruptedException {
        JsonNode event = events.poll(10, TimeUnit.SECONDS);
        assertNotNull(event, "no snapshot within 10 s");
        return event;
    }

    public JsonNode nextMatching(java.util.function.Predicate<JsonNode> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = next();
            if (wanted.test(last)) {
                return last;
            }
        }
        throw new AssertionError("no matching snapshot within 20 s; last: " + last);
    }

    @Override
    public void close() throws Exception {
        body.close();
        reader.interrupt();
    }
}
