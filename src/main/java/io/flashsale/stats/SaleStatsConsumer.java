package io.flashsale.stats;

import io.flashsale.common.Jdbc;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.LocalDateTime;
import java.util.List;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Keeps per-sale statistics (reserved / paid / cancelled / expired) from
 * {@code flashsale.order-events}: the consuming side done right.
 * <ul>
 * <li>Batched: a poll's records are applied in one transaction.</li>
 * <li>Idempotent: the eventId is recorded in {@code processed_events} in the same transaction
 * as the effect, so a redelivered event changes nothing.</li>
 * <li>Bounded retries: if a batch fails, its events are retried one by one; an event that still
 * fails after {@code max-attempts} goes to the dead-letter topic and the rest carry on.</li>
 * <li>Offsets are committed only after this method returns, i.e. after the effect committed
 * (or the event is safely on the dead-letter topic).</li>
 * </ul>
 */
@ApplicationScoped
public class SaleStatsConsumer {

    static final String CONSUMER = "sale-stats";
    private static final Logger LOG = Logger.getLogger(SaleStatsConsumer.class);

    private final DataSource dataSource;
    private final MutinyEmitter<String> deadLetters;
    private final StatsConfig config;
    private final Clock clock;

    public SaleStatsConsumer(DataSource dataSource, @Channel("sale-stats-dlq") MutinyEmitter<String> deadLetters,
            StatsConfig config, Clock clock) {
        this.dataSource = dataSource;
        this.deadLetters = deadLetters;
        this.config = config;
        this.clock = clock;
    }

    @Incoming("sale-stats")
    @Blocking
    public void consume(ConsumerRecords<String, String> records) throws InterruptedException {
        List<ConsumerRecord<String, String>> batch = new java.util.ArrayList<>(records.count());
        records.forEach(batch::add);
        try {
            applyInOneTransaction(batch);
            return;
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("stats batch of %d failed (%s); retrying its events one by one", batch.size(), e.toString());
        }
        for (ConsumerRecord<String, String> record : batch) {
            applyWithRetries(record);
        }
    }

    private void applyWithRetries(ConsumerRecord<String, String> record) throws InterruptedException {
        Exception last = null;
        for (int attempt = 1; attempt <= config.maxAttempts(); attempt++) {
            try {
                applyInOneTransaction(List.of(record));
                return;
            } catch (SQLException | RuntimeException e) {
                last = e;
                Thread.sleep(config.retryDelay().toMillis());
            }
        }
        deadLetter(record, last);
    }

    private void applyInOneTransaction(List<ConsumerRecord<String, String>> records) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                for (ConsumerRecord<String, String> record : records) {
                    apply(c, SaleStatsDelta.of(record.value()));
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private void apply(Connection c, SaleStatsDelta delta) throws SQLException {
        LocalDateTime now = Jdbc.utc(clock.instant());
        try (PreparedStatement seen = c.prepareStatement(
                "INSERT IGNORE INTO processed_events (consumer, event_id, processed_at) VALUES (?, ?, ?)")) {
            seen.setString(1, CONSUMER);
            seen.setString(2, delta.eventId());
            seen.setObject(3, now);
            if (seen.executeUpdate() == 0 || delta.changesNothing()) {
                return; // already applied (redelivery), or an event that does not move counters
            }
        }
        try (PreparedStatement upsert = c.prepareStatement("INSERT INTO sale_stats"
                + " (sale_id, reserved, paid, cancelled, expired, updated_at) VALUES (?, ?, ?, ?, ?, ?)"
                + " ON DUPLICATE KEY UPDATE reserved = reserved + VALUES(reserved), paid = paid + VALUES(paid),"
                + " cancelled = cancelled + VALUES(cancelled), expired = expired + VALUES(expired),"
                + " updated_at = VALUES(updated_at)")) {
            upsert.setLong(1, delta.saleId());
            upsert.setInt(2, delta.reserved());
            upsert.setInt(3, delta.paid());
            upsert.setInt(4, delta.cancelled());
            upsert.setInt(5, delta.expired());
            upsert.setObject(6, now);
            upsert.executeUpdate();
        }
    }

    /** Parks the event with why it failed and where it came from; waits for Kafka's ack. */
    private void deadLetter(ConsumerRecord<String, String> record, Exception cause) {
        LOG.errorf("event at %s-%d@%d failed %d times, sending it to the dead-letter topic: %s", record.topic(),
                record.partition(), record.offset(), config.maxAttempts(), cause);
        RecordHeaders headers = new RecordHeaders();
        record.headers().forEach(headers::add);
        headers.add("dlq-reason", String.valueOf(cause).getBytes(StandardCharsets.UTF_8));
        headers.add("dlq-original-topic", record.topic().getBytes(StandardCharsets.UTF_8));
        headers.add("dlq-original-partition", Integer.toString(record.partition()).getBytes(StandardCharsets.UTF_8));
        headers.add("dlq-original-offset", Long.toString(record.offset()).getBytes(StandardCharsets.UTF_8));
        headers.add("dlq-consumer", CONSUMER.getBytes(StandardCharsets.UTF_8));
        deadLetters.sendMessageAndAwait(Message.of(record.value() == null ? "" : record.value())
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                        .withKey(record.key())
                        .withHeaders(headers)
                        .build()));
    }
}
