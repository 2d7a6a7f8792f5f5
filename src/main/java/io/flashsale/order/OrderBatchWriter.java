package io.flashsale.order;

import io.flashsale.common.Sql;
import io.flashsale.outbox.EventType;
import io.flashsale.outbox.OutboxEvent;
import io.flashsale.outbox.OutboxInserts;
import io.flashsale.outbox.OutboxRelay;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Makes reserved orders durable in micro-batches: concurrent purchases are grouped (up to
 * {@code max-size} orders or {@code max-wait}) into ONE transaction that inserts the order rows
 * and their {@code flashsale.order.created} outbox rows with JDBC batches. Each caller's future
 * completes when its batch commits, or fails with the cause, in which case the caller releases
 * its Redis reservation. Hundreds of orders share one commit (one fsync) instead of paying one each.
 */
@ApplicationScoped
public class OrderBatchWriter {

    private static final Logger LOG = Logger.getLogger(OrderBatchWriter.class);
    private static final String INSERT_ORDER = "INSERT INTO orders"
            + " (id, sale_id, user_id, status, amount_cents, created_at, remind_at, pay_by, updated_at, promoted)"
            + " VALUES (?, ?, ?, 'PENDING_PAYMENT', ?, ?, ?, ?, ?, ?)";
    private static final long SHUTDOWN_GRACE_MS = 10_000;

    private record Pending(NewOrder order, CompletableFuture<Void> committed) {
    }

    private final DataSource dataSource;
    private final OutboxRelay relay;
    private final OrderBatchConfig config;
    private final BlockingQueue<Pending> queue;
    private final DistributionSummary batchSizes;
    private final List<Thread> writers = new ArrayList<>();
    private volatile boolean running;

    public OrderBatchWriter(DataSource dataSource, OutboxRelay relay, OrderBatchConfig config, MeterRegistry meters) {
        this.dataSource = dataSource;
        this.relay = relay;
        this.config = config;
        this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
        this.batchSizes = DistributionSummary.builder("flashsale.order.batch.size")
                .description("orders committed per transaction").register(meters);
        meters.gauge("flashsale.order.batch.queue", queue, BlockingQueue::size);
    }

    void start(@Observes StartupEvent event) {
        running = true;
        for (int i = 0; i < config.writers(); i++) {
            Thread writer = new Thread(this::run, "order-writer-" + i);
            writer.setDaemon(true);
            writer.start();
            writers.add(writer);
        }
    }

    /** Stops taking orders, then lets the writers commit everything already queued. */
    void stop(@Observes ShutdownEvent event) {
        running = false;
        long deadline = System.currentTimeMillis() + SHUTDOWN_GRACE_MS;
        for (Thread writer : writers) {
            try {
                writer.join(Math.max(1, deadline - System.currentTimeMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Queues an order; the stage completes once it is committed. Fails fast when saturated. */
    public CompletionStage<Void> submit(NewOrder order) {
        CompletableFuture<Void> committed = new CompletableFuture<>();
        if (!running) {
            committed.completeExceptionally(new IllegalStateException("order writer is shutting down"));
        } else if (!queue.offer(new Pending(order, committed))) {
            committed.completeExceptionally(new OrderQueueFull());
        }
        return committed;
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(config.maxSize());
        while (running || !queue.isEmpty()) {
            try {
                collect(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (!batch.isEmpty()) {
                write(batch);
                batch.clear();
            }
        }
    }

    /** First order blocks (briefly, to notice shutdown); the rest are gathered until size or time runs out. */
    private void collect(List<Pending> batch) throws InterruptedException {
        Pending first = queue.poll(50, TimeUnit.MILLISECONDS);
        if (first == null) {
            return;
        }
        batch.add(first);
        long deadline = System.nanoTime() + config.maxWait().toNanos();
        while (batch.size() < config.maxSize()) {
            if (queue.drainTo(batch, config.maxSize() - batch.size()) > 0) {
                continue;
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                break;
            }
            Pending next = queue.poll(remaining, TimeUnit.NANOSECONDS);
            if (next == null) {
                break;
            }
            batch.add(next);
        }
    }

    private void write(List<Pending> batch) {
        try {
            insert(batch.stream().map(Pending::order).toList());
            batchSizes.record(batch.size());
            relay.wake(); // outbox fast path: publish the created events right after commit
            batch.forEach(p -> p.committed().complete(null));
        } catch (SQLException e) {
            if (isConstraintViolation(e) && batch.size() > 1) {
                // One bad row must not fail hundreds of good ones: retry each on its own.
                LOG.warnf("batch of %d hit a constraint (%s); writing orders one by one", batch.size(), e.getMessage());
                batch.forEach(p -> write(List.of(p)));
                return;
            }
            LOG.errorf("order batch of %d failed: %s", batch.size(), e.getMessage());
            batch.forEach(p -> p.committed().completeExceptionally(e));
        } catch (RuntimeException e) {
            LOG.error("order batch failed", e);
            batch.forEach(p -> p.committed().completeExceptionally(e));
        }
    }

    private void insert(List<NewOrder> orders) throws SQLException {
        List<OutboxEvent> events = new ArrayList<>(orders.size());
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement statement = connection.prepareStatement(INSERT_ORDER)) {
                for (NewOrder order : orders) {
                    LocalDateTime createdAt = Sql.utc(order.createdAt());
                    statement.setLong(1, order.id());
                    statement.setLong(2, order.saleId());
                    statement.setString(3, order.userId());
                    statement.setLong(4, order.amountCents());
                    statement.setObject(5, createdAt);
                    statement.setObject(6, Sql.utc(order.remindAt()));
                    statement.setObject(7, Sql.utc(order.payBy()));
                    statement.setObject(8, createdAt);
                    statement.setBoolean(9, order.promoted());
                    statement.addBatch();
                    events.add(OutboxEvent.of(EventType.ORDER_CREATED, order.id(), order.saleId(), order.userId(),
                            order.createdAt(), Map.of(
                                    "status", OrderStatus.PENDING_PAYMENT.name(),
                                    "amountCents", order.amountCents(),
                                    "payBy", order.payBy())));
                    if (order.promoted()) {
                        events.add(OutboxEvent.of(EventType.WAITLIST_PROMOTED, order.id(), order.saleId(),
                                order.userId(), order.createdAt(), Map.of("payBy", order.payBy())));
                    }
                }
                statement.executeBatch();
                OutboxInserts.insert(connection, events);
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    private static boolean isConstraintViolation(SQLException e) {
        for (SQLException s = e; s != null; s = s.getNextException()) {
            if (s.getSQLState() != null && s.getSQLState().startsWith("23")) {
                return true;
            }
            if (s.getCause() instanceof SQLException cause && cause.getSQLState() != null
                    && cause.getSQLState().startsWith("23")) {
                return true;
            }
        }
        return false;
    }
}
