package io.flashsale.outbox;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import jakarta.transaction.Transactional.TxType;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Appends an event to the outbox inside the caller's transaction: the state change and its event
 * commit together or not at all (invariant 4). After a successful commit the relay is woken
 * (fast path) through a transactional observer.
 */
@ApplicationScoped
public class Outbox {

    private final EntityManager em;
    private final Event<OutboxAppended> appended;

    public Outbox(EntityManager em, Event<OutboxAppended> appended) {
        this.em = em;
        this.appended = appended;
    }

    @Transactional(TxType.MANDATORY)
    public void append(OutboxEvent event) {
        LocalDateTime at = LocalDateTime.ofInstant(event.occurredAt(), ZoneOffset.UTC);
        em.createNativeQuery("INSERT INTO outbox_events"
                        + " (event_id, aggregate_id, event_type, payload, status, attempts, next_attempt_at, created_at)"
                        + " VALUES (?1, ?2, ?3, ?4, 'PENDING', 0, ?5, ?6)")
                .setParameter(1, event.eventId().toString())
                .setParameter(2, event.orderId())
                .setParameter(3, event.type().wireName())
                .setParameter(4, event.payload())
                .setParameter(5, at)
                .setParameter(6, at)
                .executeUpdate();
        appended.fire(new OutboxAppended(1));
    }
}
