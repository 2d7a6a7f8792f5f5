package io.flashsale.outbox;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import jakarta.transaction.Transactional.TxType;
import java.util.List;
import org.hibernate.Session;

/**
 * Appends an event to the outbox inside the caller's transaction: the state change and its event
 * commit together or not at all (invariant 4). After a successful commit the relay is woken
 * (fast path) through a transactional observer.
 */
@ApplicationScoped
public class TransactionalOutbox {

    private final EntityManager em;
    private final Event<OutboxAppended> appended;

    public TransactionalOutbox(EntityManager em, Event<OutboxAppended> appended) {
        this.em = em;
        this.appended = appended;
    }

    @Transactional(TxType.MANDATORY)
    public void append(OutboxEvent event) {
        // same statement as the batch writer's, on the transaction's own connection
        em.unwrap(Session.class).doWork(connection -> OutboxStore.insert(connection, List.of(event)));
        appended.fire(new OutboxAppended(1));
    }
}
