package io.flashsale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flashsale.common.ScheduledJobsByRole;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduler;
import io.quarkus.scheduler.Trigger;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.reactive.messaging.ChannelRegistry;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jboss.jandex.AnnotationInstance;
import org.jboss.jandex.DotName;
import org.jboss.jandex.Index;
import org.jboss.jandex.Indexer;
import org.junit.jupiter.api.Test;

/**
 * flashsale.role=api on a running instance: no worker-only scheduled job can fire and no
 * messaging channel runs, with no list of jobs or channels anywhere. The jobs are found by
 * scanning the compiled classes for {@code @Scheduled}, so a job added later is checked too.
 */
@QuarkusTest
@TestProfile(ApiRoleTests.Api.class)
class ApiRoleTests {

    public static class Api implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("flashsale.role", "api");
        }
    }

    @Inject
    Scheduler scheduler;

    @Inject
    ChannelRegistry channels;

    @Test
    void everyScheduledJobIsPausedUnlessItRunsOnEveryRole() throws IOException {
        Set<String> declared = scheduledMethods();
        List<Trigger> jobs = scheduler.getScheduledJobs();
        assertEquals(declared, jobs.stream().map(Trigger::getMethodDescription).collect(Collectors.toCollection(TreeSet::new)),
                "the scheduler knows every @Scheduled method of the application");
        assertTrue(scheduler.isRunning(), "the scheduler was resumed after the worker-only jobs were paused");
        for (Trigger job : jobs) {
            boolean everyRole = ScheduledJobsByRole.runsOnEveryRole(job);
            assertEquals(!everyRole, scheduler.isPaused(job.getId()),
                    job.getMethodDescription() + " (" + job.getId() + ") runs on an api instance: "
                            + (everyRole ? "it is marked every-role but was paused" : "it is not marked every-role"));
        }
        assertTrue(jobs.stream().anyMatch(ScheduledJobsByRole::runsOnEveryRole), "the node-id lease renews on api");
        assertTrue(jobs.stream().anyMatch(job -> !ScheduledJobsByRole.runsOnEveryRole(job)), "worker jobs exist");
    }

    @Test
    void noMessagingChannelRuns() {
        assertEquals(Set.of(), channels.getIncomingNames(), "a Kafka consumer runs on an api instance");
        assertEquals(Set.of(), channels.getOutgoingNames(), "a messaging producer runs on an api instance");
    }

    /** {@code Class#method} of every @Scheduled method compiled from src/main/java. */
    static Set<String> scheduledMethods() throws IOException {
        Indexer indexer = new Indexer();
        try (Stream<Path> files = Files.walk(Path.of("target/classes/io/flashsale"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                try (InputStream in = Files.newInputStream(file)) {
                    indexer.index(in);
                }
            }
        }
        Index index = indexer.complete();
        Set<String> methods = new TreeSet<>();
        for (DotName annotation : List.of(DotName.createSimple(Scheduled.class), DotName.createSimple(Scheduled.Schedules.class))) {
            for (AnnotationInstance scheduled : index.getAnnotations(annotation)) {
                methods.add(scheduled.target().asMethod().declaringClass().name() + "#" + scheduled.target().asMethod().name());
            }
        }
        assertFalse(methods.isEmpty(), "no @Scheduled method found under target/classes");
        return methods;
    }
}
