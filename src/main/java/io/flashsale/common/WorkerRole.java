package io.flashsale.common;

import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.ScheduledExecution;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Scheduled jobs run only where the {@link Role} includes the worker. */
public final class WorkerRole {

    private WorkerRole() {
    }

    /** Skip predicate for {@code @Scheduled(skipExecutionIf = ...)}. */
    @Singleton
    public static class NotWorker implements Scheduled.SkipPredicate {

        private final boolean worker;

        public NotWorker(@ConfigProperty(name = "flashsale.role", defaultValue = "all") String role) {
            this.worker = Role.parse(role).runsWorkers();
        }

        @Override
        public boolean test(ScheduledExecution execution) {
            return !worker;
        }
    }
}
