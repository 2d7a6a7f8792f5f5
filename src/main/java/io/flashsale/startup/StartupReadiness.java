package io.flashsale.startup;

import io.flashsale.common.Role;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * Readiness "startup": UP once every {@link StartupStep} of this instance's role has succeeded.
 * <p>
 * The steps start together when the application starts, each on its own thread, so a new pod
 * waits for its slowest client connection rather than for their sum, and the main thread opens
 * the HTTP port meanwhile (readiness answers DOWN, naming the steps still running). A failed step
 * is started again by the next readiness probe (at most once per {@link #RETRY_AFTER_MS}), e.g.
 * the schema check once the migration has run; a step that succeeded never runs again, so a
 * probe of a ready instance costs nothing here.
 */
@Readiness
@ApplicationScoped
public class StartupReadiness implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(StartupReadiness.class);
    static final long RETRY_AFTER_MS = 1_000;

    /** The current attempt of one step. */
    private record Attempt(CompletableFuture<Void> outcome, long startedAt) {
    }

    private final List<StartupStep> steps;
    private final Map<String, Attempt> attempts = new ConcurrentHashMap<>();
    private final AtomicInteger threads = new AtomicInteger();
    private final ExecutorService executor = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "startup-step-" + threads.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    });
    private final long began = System.nanoTime();

    public StartupReadiness(@All List<StartupStep> steps,
            @ConfigProperty(name = "flashsale.role", defaultValue = "all") String role) {
        Role parsed = Role.parse(role);
        this.steps = steps.stream().filter(step -> step.neededBy(parsed)).toList();
    }

    /** After the other start-up observers (the test profile's state reset among them). */
    void start(@Observes @Priority(Interceptor.Priority.APPLICATION + 500) StartupEvent event) {
        steps.forEach(this::launch);
    }

    private Attempt launch(StartupStep step) {
        long startedAt = System.currentTimeMillis();
        CompletableFuture<Void> outcome = CompletableFuture.runAsync(() -> {
            long t0 = System.nanoTime();
            try {
                step.run();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new StepFailed(e);
            }
            LOG.debugf("start-up step %s done in %d ms (%d ms after start)", step.name(),
                    (System.nanoTime() - t0) / 1_000_000, (System.nanoTime() - began) / 1_000_000);
        }, executor);
        outcome.whenComplete((ok, failure) -> {
            if (failure != null) {
                LOG.warnf("start-up step %s failed, tried again at the next readiness probe: %s", step.name(),
                        message(failure));
            }
        });
        Attempt attempt = new Attempt(outcome, startedAt);
        attempts.put(step.name(), attempt);
        return attempt;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("startup");
        boolean ready = true;
        for (StartupStep step : steps) {
            Attempt attempt = attempts.get(step.name());
            if (attempt == null) {
                attempt = launch(step); // probed before the StartupEvent reached us
            }
            CompletableFuture<Void> outcome = attempt.outcome();
            if (!outcome.isDone()) {
                ready = false;
                response.withData(step.name(), "running");
            } else if (outcome.isCompletedExceptionally()) {
                ready = false;
                response.withData(step.name(), "failed: " + message(outcome.handle((ok, e) -> e).join()));
                if (System.currentTimeMillis() - attempt.startedAt() >= RETRY_AFTER_MS) {
                    launch(step);
                }
            } else {
                response.withData(step.name(), "done");
            }
        }
        return response.status(ready).build();
    }

    /** True once every step has succeeded. */
    public boolean ready() {
        return steps.stream().allMatch(step -> {
            Attempt attempt = attempts.get(step.name());
            return attempt != null && attempt.outcome().isDone() && !attempt.outcome().isCompletedExceptionally();
        });
    }

    void stop(@Observes ShutdownEvent event) {
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String message(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof java.util.concurrent.CompletionException || cause instanceof StepFailed)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }

    private static final class StepFailed extends RuntimeException {
        StepFailed(Exception cause) {
            super(cause);
        }
    }
}
