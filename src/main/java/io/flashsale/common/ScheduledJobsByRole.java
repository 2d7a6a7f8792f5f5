package io.flashsale.common;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduler;
import io.quarkus.scheduler.Trigger;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Every {@code @Scheduled} job is worker-only unless its identity starts with {@link #EVERY_ROLE}.
 * A new job needs nothing to stay off the api instances; a job that must run on every role
 * (today only the node-id lease renewal) says so where it is declared:
 * {@code @Scheduled(identity = ScheduledJobsByRole.EVERY_ROLE + "node-id-lease", ...)}.
 * <p>
 * The scheduler starts halted ({@code quarkus.scheduler.start-mode=halted}), so no job can fire
 * before this observer ran: on an api instance it pauses every worker-only job, then resumes the
 * scheduler. ApiRoleTests checks the outcome on a running api instance.
 */
@ApplicationScoped
public class ScheduledJobsByRole {

    /** Identity prefix of a job that runs on every role. */
    public static final String EVERY_ROLE = "every-role:";

    private static final Logger LOG = Logger.getLogger(ScheduledJobsByRole.class);

    public static boolean runsOnEveryRole(Trigger job) {
        return job.getId().startsWith(EVERY_ROLE);
    }

    /** Early, so jobs run as soon as the application started, not after slower observers. */
    void start(@Observes @Priority(Interceptor.Priority.PLATFORM_AFTER) StartupEvent event, Scheduler scheduler,
            RoleConfig config) {
        if (!config.role().runsWorkers()) {
            List<String> paused = scheduler.getScheduledJobs().stream().filter(job -> !runsOnEveryRole(job))
                    .map(Trigger::getId).toList();
            paused.forEach(scheduler::pause);
            LOG.debugf("role %s: %d worker-only jobs paused", config.value(), paused.size());
        }
        scheduler.resume();
    }
}
