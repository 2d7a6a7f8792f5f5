package io.flashsale.startup;

import io.flashsale.common.OrderIds;
import io.flashsale.common.Role;
import io.flashsale.sale.StockReservations;
import io.quarkus.runtime.LaunchMode;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.eclipse.microprofile.config.Config;

/**
 * Start-up step "purchase-path" (api and all roles): the code a purchase runs has run once, so the
 * first buyer after readiness is not the one who pays for loading and linking it (a cold JVM
 * spends hundreds of milliseconds there; the AOT cache takes most of it away, plain JDK 17 not).
 * Nothing is written anywhere:
 * <ul>
 * <li>purchase.lua on a sale that does not exist ({@link #NO_SALE}): the script answers "not primed" and changes
 * nothing (the Redis client, EVALSHA, script cache);</li>
 * <li>over HTTP to this instance: the ping, a purchase with a bearer token whose RS256 signature
 * is garbage (401: the JWT mechanism loads the public key and verifies a signature), and the page
 * of that sale (404: the sale catalog's database load, the problem+json writer).</li>
 * </ul>
 */
@ApplicationScoped
public class PurchasePathWarmUp implements StartupStep {

    /** Well-formed RS256 JWT with a 256-byte signature that no key made: it always fails verification. */
    static final String UNVERIFIABLE_TOKEN = unverifiableToken();
    /** A sale id no sale has (ids count up from 1). */
    static final long NO_SALE = Long.MAX_VALUE;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final StockReservations reservations;
    private final Config config;

    public PurchasePathWarmUp(StockReservations reservations, Config config) {
        this.reservations = reservations;
        this.config = config;
    }

    @Override
    public String name() {
        return "purchase-path";
    }

    @Override
    public boolean neededBy(Role role) {
        return role.servesApi();
    }

    @Override
    public void run() throws IOException {
        var reservation = reservations.reserve(NO_SALE, "startup-warm-up", OrderIds.next(), false, 0).await()
                .atMost(TIMEOUT);
        if (reservation.outcome() != StockReservations.Outcome.NOT_PRIMED) {
            throw new IllegalStateException("purchase.lua on a sale that does not exist answered " + reservation.outcome());
        }
        int port = port();
        expect(200, request(port, "GET /api/ping HTTP/1.1\r\n"));
        expect(401, request(port, "POST /api/sales/0/purchases HTTP/1.1\r\nAuthorization: Bearer "
                + UNVERIFIABLE_TOKEN + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n", "{}"));
        expect(404, request(port, "GET /api/sales/" + NO_SALE + " HTTP/1.1\r\n"));
    }

    private int port() {
        String key = LaunchMode.current() == LaunchMode.TEST ? "quarkus.http.test-port" : "quarkus.http.port";
        return config.getOptionalValue(key, Integer.class).orElse(8080);
    }

    private String host() {
        String host = config.getOptionalValue("quarkus.http.host", String.class).orElse("127.0.0.1");
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]") ? "127.0.0.1" : host;
    }

    private static void expect(int status, String response) {
        String statusLine = response.lines().findFirst().orElse("");
        if (!statusLine.startsWith("HTTP/1.1 " + status)) {
            throw new IllegalStateException("warm-up request answered '" + statusLine + "', expected " + status);
        }
    }

    private String request(int port, String head) throws IOException {
        return request(port, head, "");
    }

    /** One HTTP/1.1 request on its own connection (Connection: close): the answer as text. */
    private String request(int port, String head, String body) throws IOException {
        try (Socket socket = connect(port)) {
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write((head + "Host: localhost\r\nConnection: close\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            in.transferTo(answer);
            return answer.toString(StandardCharsets.UTF_8);
        }
    }

    /** The HTTP port opens right after the start-up observers (this step runs meanwhile): wait for it. */
    private Socket connect(int port) throws IOException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            Socket socket = new Socket();
            try {
                socket.connect(new InetSocketAddress(host(), port), (int) TIMEOUT.toMillis());
                return socket;
            } catch (java.net.ConnectException e) {
                socket.close();
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private static String unverifiableToken() {
        Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
        String header = url.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String claims = url.encodeToString(("{\"sub\":\"startup-warm-up\",\"groups\":[\"buyer\"],"
                + "\"exp\":4102444800}").getBytes(StandardCharsets.UTF_8));
        byte[] signature = new byte[256];
        for (int i = 0; i < signature.length; i++) {
            signature[i] = (byte) (i * 31 + 7);
        }
        return header + "." + claims + "." + url.encodeToString(signature);
    }
}
