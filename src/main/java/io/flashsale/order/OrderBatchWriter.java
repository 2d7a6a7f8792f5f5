package io.flashsale.order;

import io.flashsale.common.Jdbc;
import io.flashsale.outbox.EventType;
import io.flashsale.outbox.OutboxEvent;
import io.flashsale.outbox.OutboxStore;
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
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * <p>
 * Failures are told apart, because the caller's next step depends on it: a definite failure
 * ({@link SQLException}, {@link OrderFenced}) means the order does not exist and never will; a
 * commit whose answer was lost is resolved before anyone is answered ({@link #resolveDoubt});
 * only if that stays impossible does the caller get {@link OrderOutcomeUnknown} and must not
 * release anything.
 */
@ApplicationScoped
public class OrderBatchWriter {

    private static final Logger LOG = Logger.getLogger(OrderBatchWriter.class);
    private static final String INSERT_ORDER = "INSERT INTO orders"
            + " (id, sale_id, user_id, status, amount_cents, created_at, remind_at, pay_by, updated_at, promoted,"
            + " stock_bucket) VALUES (?, ?, ?, 'PENDING_PAYMENT', ?, ?, ?, ?, ?, ?, ?)";
    private static final long SHUTDOWN_GRACE_MS = 10_000;
    /** Meter names, also read by the operator console (console/LiveSaleFeed). */
    public static final String BATCH_SIZE_METER = "flashsale.order.batch.size";
    public static final String QUEUE_METER = "flashsale.order.batch.queue";

    private record Pending(NewOrder order, CompletableFuture<Void> committed) {
    }

    private final DataSource dataSource;
    private final OutboxRelay relay;
    private final OrderBatchConfig config;
    private final BlockingQueue<Pending> queue;
    private final DistributionSummary batchSizes;
    private final MeterRegistry meters;
    private final List<Thread> writers = new ArrayList<>();
    private volatile boolean running;

    public OrderBatchWriter(DataSource dataSource, OutboxRelay relay, OrderBatchConfig config, MeterRegistry meters) {
        this.dataSource = dataSource;
        this.relay = relay;
        this.config = config;
        this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
        this.meters = meters;
        this.batchSizes = DistributionSummary.builder(BATCH_SIZE_METER)
                .description("orders committed per transaction").register(meters);
        meters.gauge(QUEUE_METER, queue, BlockingQueue::size);
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
        List<Pending> writable = batch;
        Set<Long> fenced;
        try {
            fenced = insert(writable.stream().map(Pending::order).toList());
        } catch (SQLException e) {
            if (isConstraintViolation(e) && writable.size() > 1) {
                // One bad row must not fail hundreds of good ones: retry each on its own.
                LOG.warnf("batch of %d hit a constraint (%s); writing orders one by one", writable.size(),
                        e.getMessage());
                writable.forEach(p -> write(List.of(p)));
                return;
            }
            LOG.errorf("order batch of %d failed: %s", writable.size(), e.getMessage());
            writable.forEach(p -> p.committed().completeExceptionally(e));
            return;
        } catch (CommitInDoubt e) {
            LOG.errorf("commit of a batch of %d orders is in doubt (%s); looking the orders up", writable.size(),
                    e.getCause());
            resolveDoubt(writable, e.getCause());
            return;
        } catch (RuntimeException e) {
            LOG.error("order batch failed", e);
            writable.forEach(p -> p.committed().completeExceptionally(e));
            return;
        }
        List<Pending> written = new ArrayList<>(writable.size());
        for (Pending p : writable) {
            if (fenced.contains(p.order().id())) {
                p.committed().completeExceptionally(new OrderFenced(p.order()));
            } else {
                written.add(p);
            }
        }
        afterCommit(written);
    }

    /** Nothing that happens after a successful commit may turn it into a failure. */
    private void afterCommit(List<Pending> batch) {
        batch.forEach(p -> p.committed().complete(null));
        batchSizes.record(batch.size());
        try {
            relay.wake(); // outbox fast path: publish the created events right after commit
        } catch (RuntimeException e) {
            LOG.debugf("relay not woken (%s); its next poll publishes the events", e.toString());
        }
    }

    /**
     * The commit was sent but its answer never came: the server may or may not have committed.
     * Every order of the batch is looked up on a fresh connection, and each missing one is fenced
     * with a VOID tombstone in the same step (if the lost commit were still running, the tombstone
     * waits for it). Found orders are answered 201; only fenced ones are compensated. If the
     * database stays unreachable the outcome stays unknown: nothing is compensated (the
     * reconciler settles it later, fenced the same way) and the buyers are told so.
     */
    private void resolveDoubt(List<Pending> batch, Throwable cause) {
        List<OrderTombstones.Claim> claims = batch.stream()
                .map(p -> new OrderTombstones.Claim(p.order().id(), p.order().saleId(), p.order().userId()))
                .toList();
        long deadline = System.nanoTime() + config.doubtResolution().toNanos();
        long pauseMs = 50;
        while (true) {
            try {
                Set<Long> committed = OrderTombstones.claimAbsent(dataSource, claims, Instant.now());
                List<Pending> written = new ArrayList<>();
                for (Pending p : batch) {
                    if (committed.contains(p.order().id())) {
                        written.add(p);
                    } else {
                        p.committed().completeExceptionally(cause);
                    }
                }
                LOG.warnf("doubt resolved: %d of %d orders were committed", written.size(), batch.size());
                countDoubt("committed", written.size());
                countDoubt("absent", batch.size() - written.size());
                afterCommit(written);
                return;
            } catch (SQLException | RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    LOG.errorf("doubt over %d orders not resolved (%s); the reconciler will settle them",
                            batch.size(), e.toString());
                    countDoubt("unknown", batch.size());
                    OrderOutcomeUnknown unknown = new OrderOutcomeUnknown(e);
                    batch.forEach(p -> p.committed().completeExceptionally(unknown));
                    return;
                }
                sleep(pauseMs);
                pauseMs = Math.min(1_000, pauseMs * 2);
            }
        }
    }

    /** Orders whose commit answer was lost, by what the lookup found: an operator's signal of a flaky DB link. */
    private void countDoubt(String outcome, int orders) {
        meters.counter("flashsale.order.commit.doubt", "outcome", outcome).increment(orders);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * One transaction: the generations of the batch's sales are read with shared locks (a rebuild
     * bumping a generation waits for this transaction, and this one for a running rebuild), orders
     * reserved under an older generation are left out and returned, the rest are inserted with
     * their outbox rows. Returns the ids left out.
     *
     * @throws SQLException the transaction did not commit (definitely)
     * @throws CommitInDoubt the commit was sent but its outcome is unknown
     */
    private Set<Long> insert(List<NewOrder> orders) throws SQLException {
        Connection connection = dataSource.getConnection();
        boolean commitSent = false;
        try {
            connection.setAutoCommit(false);
            Map<Long, Long> generations = lockGenerations(connection, orders);
            Set<Long> fenced = new HashSet<>();
            List<OutboxEvent> events = new ArrayList<>(orders.size());
            int rows = 0;
            try (PreparedStatement statement = connection.prepareStatement(INSERT_ORDER)) {
                for (NewOrder order : orders) {
                    Long current = generations.get(order.saleId());
                    if (current == null || current != order.generation()) {
                        fenced.add(order.id());
                        continue;
                    }
                    LocalDateTime createdAt = Jdbc.utc(order.createdAt());
                    statement.setLong(1, order.id());
                    statement.setLong(2, order.saleId());
                    statement.setString(3, order.userId());
                    statement.setLong(4, order.amountCents());
                    statement.setObject(5, createdAt);
                    statement.setObject(6, Jdbc.utc(order.remindAt()));
                    statement.setObject(7, Jdbc.utc(order.payBy()));
                    statement.setObject(8, createdAt);
                    statement.setBoolean(9, order.promoted());
                    statement.setInt(10, order.stockBucket());
                    statement.addBatch();
                    rows++;
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
                if (rows > 0) {
                    statement.executeBatch();
                }
            }
            OutboxStore.insert(connection, events);
            commitSent = true;
            connection.commit();
            return fenced;
        } catch (SQLException | RuntimeException e) {
            if (commitSent) {
                throw new CommitInDoubt(e);
            }
            rollbackQuietly(connection);
            throw e;
        } finally {
            closeQuietly(connection); // a failing close must not undo a commit that succeeded
        }
    }

    private static Map<Long, Long> lockGenerations(Connection connection, List<NewOrder> orders) throws SQLException {
        List<Long> saleIds = orders.stream().map(NewOrder::saleId).distinct().sorted().toList();
        Map<Long, Long> generations = new HashMap<>();
        try (PreparedStatement s = connection.prepareStatement("SELECT id, generation FROM sales WHERE id IN ("
                + Jdbc.placeholders(saleIds.size()) + ") LOCK IN SHARE MODE")) {
            for (int i = 0; i < saleIds.size(); i++) {
                s.setLong(i + 1, saleIds.get(i));
            }
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    generations.put(rs.getLong(1), rs.getLong(2));
                }
            }
        }
        return generations;
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException | RuntimeException e) {
            LOG.debugf("rollback failed (%s); the server rolls back when the connection dies", e.toString());
        }
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException | RuntimeException e) {
            LOG.debugf("closing a connection failed (%s)", e.toString());
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
