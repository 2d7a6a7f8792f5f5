package io.flashsale.outbox;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The relay's Kafka producer: idempotent, acks=all, so a row is marked published only once every
 * in-sync replica has it, and a retried send never duplicates within the producer session.
 * A plain producer (not an Emitter) because the relay needs the outcome of each record.
 */
@ApplicationScoped
public class KafkaEventPublisher {

    private final KafkaProducer<String, String> producer;
    private final OutboxConfig config;

    public KafkaEventPublisher(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
            OutboxConfig config) {
        this.config = config;
        int timeoutMs = (int) config.publishTimeout().toMillis();
        Map<String, Object> settings = new HashMap<>();
        settings.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        settings.put(ProducerConfig.CLIENT_ID_CONFIG, "flashsale-outbox-relay");
        settings.put(ProducerConfig.ACKS_CONFIG, "all");
        settings.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        settings.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        settings.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        // an outage surfaces within one publish timeout, then the row backs off
        settings.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs);
        settings.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
        settings.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeoutMs + 2);
        settings.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        settings.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        this.producer = new KafkaProducer<>(settings);
    }

    /**
     * Fetches the topic's partitions (creates the connection and loads metadata); throws when
     * Kafka does not answer within the publish timeout.
     */
    public int connect() {
        return producer.partitionsFor(config.topic()).size();
    }

    /** Sends with key = orderId and CloudEvents binary-mode headers; the future completes on ack. */
    public Future<RecordMetadata> send(OutboxRow row, String orderKey) {
        ProducerRecord<String, String> record = new ProducerRecord<>(config.topic(), null, orderKey, row.payload(),
                List.of(header("ce_specversion", "1.0"),
                        header("ce_id", row.eventId()),
                        header("ce_type", row.type()),
                        header("ce_source", config.source()),
                        header("ce_time", row.createdAt().toString()),
                        header("content-type", "application/json")));
        return producer.send(record);
    }

    private static RecordHeader header(String name, String value) {
        return new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8));
    }

    /** Closed after the relay drained (lower priority observers run later). */
    void close(@Observes @Priority(jakarta.interceptor.Interceptor.Priority.LIBRARY_AFTER + 500) ShutdownEvent event) {
        producer.close(Duration.ofSeconds(5));
    }
}
