package io.flashsale.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged service ({@code target/quarkus-app/quarkus-run.jar}) as a child process, for fault
 * tests that must kill it for real. It runs with the production profile, isolated from the other
 * databases, Redis logical databases, pub/sub channels, topics and consumer groups by system
 * properties. Every start gets a fresh free port and its own log file under {@code target/chaos/}.
 */
public final class ServiceProcess implements AutoCloseable {

    public static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");

    private final String name;
    private final Path logDir;
    private final Map<String, String> properties;
    private final HttpClient probe = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1)).build();
    private Process process;
    private Path log;
    private int port;
    private int managementPort;
    private int starts;

    public ServiceProcess(String name, Path logDir, Map<String, String> properties) {
        this.name = name;
        this.logDir = logDir;
        this.properties = new LinkedHashMap<>(properties);
    }

    /** Starts the jar and returns once {@code /q/health/ready} answers 200. */
    public void start(Duration readyTimeout) throws IOException, InterruptedException {
        long began = launch();
        awaitReady(readyTimeout);
        System.out.printf("[chaos] %s start #%d: pid %d on port %d ready in %d ms (log %s)%n", name, starts,
                process.pid(), port, (System.nanoTime() - began) / 1_000_000, log);
    }

    /** Starts the jar without waiting for it; returns {@link System#nanoTime()} of the start. */
    public long launch() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " is already running (pid " + process.pid() + ")");
        }
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR.toAbsolutePath() + " is missing: run ./mvnw package -DskipTests first");
        }
        Files.createDirectories(logDir);
        port = freePort();
        managementPort = freePort();
        starts++;
        log = logDir.resolve(name + "-" + starts + ".log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        command.add("-Dquarkus.http.port=" + port);
        command.add("-Dquarkus.management.port=" + managementPort);
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-jar");
        command.add(JAR.toString());
        long began = System.nanoTime();
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile())).start();
        return began;
    }

    /** The readiness answer now: status code and body, or null while the port does not answer. */
    public HttpResponse<String> readiness() throws InterruptedException {
        try {
            return probe.send(HttpRequest.newBuilder(managementUri("/q/health/ready")).timeout(Duration.ofSeconds(3)).GET()
                    .build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        }
    }

    /** Waits until {@code /q/health/ready} answers 200; kills the process and throws when it does not in time. */
    public void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpRequest ready = HttpRequest.newBuilder(managementUri("/q/health/ready")).timeout(Duration.ofSeconds(3)).GET().build();
        String last = "no answer yet";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue()
                        + " before it was ready; log tail:\n" + tail(60));
            }
            try {
                HttpResponse<String> answer = probe.send(ready, HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() == 200) {
                    return;
                }
                last = answer.statusCode() + " " + answer.body();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(200);
        }
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        throw new IllegalStateException(name + " not ready within " + timeout + " (last: " + last + "); log tail:\n"
                + tail(60));
    }

    /** SIGKILL (on Linux {@link Process#destroyForcibly()} is kill -9): no shutdown hook, no flush, nothing. */
    public void killHard() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " (pid " + process.pid() + ") survived SIGKILL for 10 s");
        }
    }

    /** Graceful stop (SIGTERM), then SIGKILL if it does not end in time. */
    public void stop() throws InterruptedException {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** Health and metrics live on the management port (never on the API port). */
    public URI managementUri(String path) {
        return URI.create("http://127.0.0.1:" + managementPort + path);
    }

    public Path log() {
        return log;
    }

    /** The last lines of the current log file. */
    public String tail(int lines) {
        if (log == null || !Files.exists(log)) {
            return "(no log)";
        }
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }
}
