package io.flashsale.startup;

import io.flashsale.common.Role;

/**
 * One thing an instance must have done before it takes traffic: a client connected, a check
 * passed. {@link StartupReadiness} runs every step of the instance's role in parallel, off the
 * main thread, and reports readiness UP once each has succeeded.
 */
public interface StartupStep {

    /** Short name, shown in the readiness answer. */
    String name();

    /** Whether an instance of this role needs the step before it is ready. */
    default boolean neededBy(Role role) {
        return true;
    }

    /**
     * Does the work; blocking is fine (each step has its own thread). Throws with a message an
     * operator can act on when the step cannot succeed yet; it is tried again at the next probe.
     */
    void run() throws Exception;
}
