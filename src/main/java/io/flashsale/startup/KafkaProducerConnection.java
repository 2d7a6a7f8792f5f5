package io.flashsale.startup;

import io.flashsale.outbox.KafkaEventPublisher;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Start-up step "kafka-producer": the outbox relay's producer exists and knows the partitions of
 * its topic, so the first order's event is not held up by creating and connecting it.
 */
@ApplicationScoped
public class KafkaProducerConnection implements StartupStep {

    private final KafkaEventPublisher publisher;

    public KafkaProducerConnection(KafkaEventPublisher publisher) {
        this.publisher = publisher;
    }

    @Override
    public String name() {
        return "kafka-producer";
    }

    @Override
    public void run() {
        publisher.connect();
    }
}
