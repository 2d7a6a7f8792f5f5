package io.flashsale.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Stops and restarts the Kafka broker that scripts/services.sh started (by its pid file), for outage tests. */
public final class LocalKafka {

    private static final Path PID_FILE = Path.of(".run/kafka.pid");

    private LocalKafka() {
    }

    public static void stop() throws IOException, InterruptedException {
        if (!Files.exists(PID_FILE)) {
            throw new IllegalStateException("Kafka was not started by scripts/services.sh (no " + PID_FILE
                    + "); outage tests need a broker they may stop");
        }
        long pid = Long.parseLong(Files.readString(PID_FILE).trim());
        ProcessHandle broker = ProcessHandle.of(pid)
                .orElseThrow(() -> new IllegalStateException("no Kafka process " + pid));
        broker.destroy();
        try {
            broker.onExit().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            broker.destroyForcibly();
        }
    }

    public static void start() throws IOException, InterruptedException {
        Process up = new ProcessBuilder("scripts/services.sh", "up").redirectErrorStream(true)
                .redirectOutput(new java.io.File("target/services-up.log")).start();
        if (!up.waitFor(Duration.ofMinutes(3).toSeconds(), TimeUnit.SECONDS) || up.exitValue() != 0) {
            throw new IllegalStateException("scripts/services.sh up failed, see target/services-up.log");
        }
    }
}
