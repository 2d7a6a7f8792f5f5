package io.flashsale.startup;

import io.flashsale.common.Role;
import io.flashsale.common.RoleConfig;
import io.quarkus.arc.All;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * Readiness "startup": UP once every {@link StartupStep} of this instance's role has succeeded.
 * <p>
 * The steps start together when the application starts, each on its own thread, so a new pod
 * waits for its slowest client connection rather than for their sum. The start is held until they
 * are done (at most {@code flashsale.startup.max-hold}), so the serving port, which Knative probes,
 * opens only when a purchase can be served; meanwhile the management port's readiness answers
 * DOWN, naming each step still running and the last error of one that failed. A failed step is
 * tried again on its own thread after a pause that doubles up to {@link #RETRY_MAX_MS} (e.g. the
 * schema check until the worker has migrated); a step that succeeded never runs again, so a probe
 * of a ready instance costs nothing here.
 */
@Readiness
@ApplicationScoped
public class StartupReadiness implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(StartupReadiness.class);
    static final long RETRY_FIRST_MS = 200;
    static final long RETRY_MAX_MS = 2_000;

    /** What a readiness probe shows of one step. */
    private static final class Progress {
        volatile boolean done;
        volatile String lastError;
    }

    private final List<StartupStep> steps;
    private final StartupConfig config;
    private final Map<String, Progress> progress = new ConcurrentHashMap<>();
    private final AtomicInteger threads = new AtomicInteger();
    private final ExecutorService executor = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "startup-step-" + threads.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    });
    private final long began = System.nanoTime();
    private volatile boolean stopping;

    public StartupReadiness(@All List<StartupStep> steps, StartupConfig config,
            RoleConfig role) {
        this.config = config;
        Role parsed = role.role();
        this.steps = steps.stream().filter(step -> step.neededBy(parsed)).toList();
        this.steps.forEach(step -> progress.put(step.name(), new Progress()));
    }

    /**
     * After the other start-up observers (the test profile's state reset among them): runs the
     * steps in parallel and holds the start (so the serving port stays closed) until they are done,
     * at most {@link StartupConfig#maxHold()}.
     */
    void start(@Observes @Priority(Interceptor.Priority.APPLICATION + 500) StartupEvent event) {
        List<CompletableFuture<Void>> running = steps.stream()
                .map(step -> CompletableFuture.runAsync(() -> runUntilDone(step), executor)).toList();
        try {
            CompletableFuture.allOf(running.toArray(CompletableFuture[]::new))
                    .get(config.maxHold().toMillis(), TimeUnit.MILLISECONDS);
            LOG.infof("start-up steps %s done %d ms after the first", progress.keySet(),
                    (System.nanoTime() - began) / 1_000_000);
        } catch (TimeoutException e) {
            LOG.warnf("start-up steps not done after %s, opening the port anyway (not ready): %s", config.maxHold(),
                    call().getData().map(Object::toString).orElse(""));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            LOG.warnf("start-up steps: %s", e.getCause().toString());
        }
    }

    private void runUntilDone(StartupStep step) {
        Progress state = progress.get(step.name());
        long pause = RETRY_FIRST_MS;
        long t0 = System.nanoTime();
        while (!stopping) {
            try {
                step.run();
                state.lastError = null;
                state.done = true;
                LOG.debugf("start-up step %s done in %d ms (%d ms after start)", step.name(),
                        (System.nanoTime() - t0) / 1_000_000, (System.nanoTime() - began) / 1_000_000);
                return;
            } catch (Exception e) {
                String message = e.getMessage() != null ? e.getMessage() : e.toString();
                if (!message.equals(state.lastError)) {
                    LOG.warnf("start-up step %s failed, trying again: %s", step.name(), message);
                }
                state.lastError = message;
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                return;
            }
            pause = Math.min(pause * 2, RETRY_MAX_MS);
        }
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("startup");
        boolean ready = true;
        for (StartupStep step : steps) {
            Progress state = progress.get(step.name());
            if (state.done) {
                response.withData(step.name(), "done");
            } else {
                ready = false;
                String error = state.lastError;
                response.withData(step.name(), error == null ? "running" : "failed: " + error);
            }
        }
        return response.status(ready).build();
    }

    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
