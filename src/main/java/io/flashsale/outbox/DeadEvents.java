package io.flashsale.outbox;

import io.flashsale.common.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.util.List;

/**
 * What an operator can do about outbox rows that exhausted their attempts (status DEAD): list them,
 * and requeue them with a fresh set of attempts. A requeue wakes the relay, so delivery is retried
 * at once rather than at the next scheduled round.
 */
@ApplicationScoped
public class DeadEvents {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    private final OutboxStore store;
    private final OutboxRelay relay;

    public DeadEvents(OutboxStore store, OutboxRelay relay) {
        this.store = store;
        this.relay = relay;
    }

    /** The oldest DEAD events; {@code limit} defaults to 100 and must be 1..1000 (400 otherwise). */
    public List<OutboxStore.DeadEvent> list(Integer limit) throws SQLException {
        int max = limit == null ? DEFAULT_LIMIT : limit;
        if (max < 1 || max > MAX_LIMIT) {
            throw ApiException.invalid("limit", "query parameter 'limit' must be between 1 and " + MAX_LIMIT);
        }
        return store.dead(max);
    }

    /** Requeues every DEAD event; returns how many. */
    public int requeueAll() throws SQLException {
        int requeued = store.requeueAllDead();
        relay.wake();
        return requeued;
    }

    /** Requeues one DEAD event; 404 EVENT_NOT_FOUND when no DEAD event has that id. */
    public int requeue(String eventId) throws SQLException {
        int requeued = store.requeueDead(eventId);
        relay.wake();
        if (requeued == 0) {
            throw new ApiException(404, "EVENT_NOT_FOUND", "no DEAD outbox event with id " + eventId);
        }
        return requeued;
    }
}
