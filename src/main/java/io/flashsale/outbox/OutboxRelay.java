package io.flashsale.outbox;

import io.flashsale.common.OrderIds;
import io.flashsale.common.Jdbc;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.jboss.logging.Logger;

/**
 * Publishes outbox rows to Kafka. One round: claim due rows in id order with
 * {@code FOR UPDATE SKIP LOCKED} (several relays on several replicas never take the same row),
 * send them all, wait for the acks, then mark each PUBLISHED, or back it off exponentially and
 * after {@code max-attempts} mark it DEAD. A row is never claimed while an earlier row of the
 * same order is still unpublished, so each order's events reach Kafka in order.
 * <p>
 * Fast path: {@link #wake()} right after a commit runs rounds on the relay thread at once.
 * Slow path: the scheduled job calls {@link #publishDue()} to pick up whatever the fast path
 * could not deliver (Kafka down, process restarted).
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

    private final DataSource dataSource;
    private final OutboxStore store;
    private final KafkaEventPublisher publisher;
    private final OutboxConfig config;
    private final Clock clock;
    private final ExecutorService fastPath = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "outbox-relay");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private final java.util.concurrent.locks.ReentrantLock roundLock = new java.util.concurrent.locks.ReentrantLock();
    private volatile boolean stopping;

    public OutboxRelay(DataSource dataSource, OutboxStore store, KafkaEventPublisher publisher, OutboxConfig config,
            Clock clock) {
        this.dataSource = dataSource;
        this.store = store;
        this.publisher = publisher;
        this.config = config;
        this.clock = clock;
    }

    /** Coalescing wake-up: many commits in a burst cause one drain, not one task each. */
    public void wake() {
        if (!stopping && wakePending.compareAndSet(false, true)) {
            fastPath.execute(() -> {
                wakePending.set(false);
                publishDue();
            });
        }
    }

    void afterCommit(@Observes(during = TransactionPhase.AFTER_SUCCESS) OutboxAppended event) {
        wake();
    }

    /**
     * Runs rounds until nothing is due (or a round fails). Returns the rows published.
     * One relay at a time per process: two overlapping rounds in one process gain nothing and
     * their claims can deadlock on secondary-index locks. Replicas still relay in parallel
     * (SKIP LOCKED); a deadlock between them fails one round, whose rows are simply retried.
     */
    public int publishDue() {
        roundLock.lock();
        try {
            return drain();
        } finally {
            roundLock.unlock();
        }
    }

    /** The scheduled slow path: skipped while the fast path is already draining. */
    public int publishDueUnlessBusy() {
        if (!roundLock.tryLock()) {
            return 0;
        }
        try {
            return drain();
        } finally {
            roundLock.unlock();
        }
    }

    private int drain() {
        int published = 0;
        while (!stopping) {
            Round round = round();
            published += round.published();
            // keep going while rows flow: a claimed order event may have unblocked the order's next one
            if (round.claimed() == 0 || round.failed() > 0) {
                return published;
            }
        }
        return published;
    }

    record Round(int claimed, int published, int failed) {
    }

    private Round round() {
        // the claim lives as long as Kafka takes to answer: it must not block order inserts
        try (Connection connection = Jdbc.claimTransaction(dataSource)) {
            try {
                List<OutboxRow> rows = store.claimDue(connection, config.batchSize());
                if (rows.isEmpty()) {
                    connection.commit();
                    return new Round(0, 0, 0);
                }
                Round round = publish(connection, rows);
                connection.commit();
                return round;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("outbox relay round failed: %s", e.toString());
            return new Round(0, 0, 1);
        }
    }

    private Round publish(Connection connection, List<OutboxRow> rows) throws SQLException {
        List<Future<RecordMetadata>> acks = new ArrayList<>(rows.size());
        for (OutboxRow row : rows) {
            acks.add(sendOrFail(row));
        }
        long deadline = System.nanoTime() + config.publishTimeout().plusSeconds(1).toNanos();
        List<Long> published = new ArrayList<>(rows.size());
        Set<Long> failedOrders = new HashSet<>();
        int failed = 0;
        for (int i = 0; i < rows.size(); i++) {
            OutboxRow row = rows.get(i);
            try {
                acks.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                published.add(row.id());
            } catch (ExecutionException | TimeoutException e) {
                failed++;
                failedOrders.add(row.aggregateId());
                markFailed(connection, row, e instanceof ExecutionException ? e.getCause() : e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while publishing", e);
            }
        }
        store.markPublished(connection, published);
        if (failed > 0) {
            LOG.warnf("outbox: %d of %d events not delivered (orders %s); backing off", failed, rows.size(),
                    failedOrders.size() > 5 ? failedOrders.size() + " orders" : failedOrders);
        }
        return new Round(rows.size(), published.size(), failed);
    }

    private Future<RecordMetadata> sendOrFail(OutboxRow row) {
        try {
            return publisher.send(row, OrderIds.format(row.aggregateId()));
        } catch (RuntimeException e) {
            // e.g. metadata not available within max.block.ms: the broker is unreachable
            return java.util.concurrent.CompletableFuture.failedFuture(e);
        }
    }

    private void markFailed(Connection connection, OutboxRow row, Throwable cause) throws SQLException {
        int attempts = row.attempts() + 1;
        boolean dead = attempts >= config.maxAttempts();
        Instant next = clock.instant().plus(backoff(attempts));
        store.markFailed(connection, row.id(), attempts, dead ? OutboxStatus.DEAD : OutboxStatus.PENDING, next, cause);
        if (dead) {
            LOG.errorf("outbox event %s (%s) is DEAD after %d attempts: %s", row.eventId(), row.type(), attempts, cause);
        }
    }

    /** base * 2^(attempts-1), capped. */
    Duration backoff(int attempts) {
        return OutboxBackoff.delay(config.backoffBase(), config.backoffMax(), attempts);
    }

    /** Lets a running round finish; no new fast-path rounds start. */
    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        fastPath.shutdown();
        try {
            fastPath.awaitTermination(config.publishTimeout().toSeconds() + 5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
