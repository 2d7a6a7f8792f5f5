package io.flashsale;

import static org.junit.jupiter.api.Assertions.assertFalse;

import io.flashsale.sale.SaleCatalog;
import io.flashsale.support.Fixtures;
import io.flashsale.support.TestRedis;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The instance's one pub/sub subscription lives on one Redis node. When that connection is
 * dropped (the node died, failed over, or restarted), the instance subscribes again on whichever
 * node answers, and sale signals reach it as before. Cluster run only: dropping every pub/sub
 * connection (CLIENT KILL TYPE pubsub) is safe on the test's own cluster, not on a shared Redis.
 */
@QuarkusTest
@EnabledIfSystemProperty(named = "flashsale.test.redis-cluster", matches = "true")
class SaleEventsSubscriptionTests {

    @Inject
    Fixtures fixtures;

    @Inject
    TestRedis cluster;

    @Inject
    SaleCatalog catalog;

    @ConfigProperty(name = "flashsale.sale.events-channel")
    String channel;

    @Test
    void soldOutSignalArrivesAfterTheSubscriptionWasDropped() {
        long saleId = fixtures.activeSale(1);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> subscribers() >= 1);
        for (TestRedis.Node node : cluster.nodes()) {
            node.call("CLIENT", "KILL", "TYPE", "pubsub");
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> subscribers() >= 1);

        // the last unit: purchase.lua publishes "soldout"; only the signal marks it sold out here
        assertFalse(catalog.isSoldOut(saleId));
        Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201);
        Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
                .until(() -> catalog.isSoldOut(saleId));
    }

    /** Subscribers of the sale-events channel, over every node (PUBSUB NUMSUB is node-local). */
    private long subscribers() {
        long total = 0;
        for (TestRedis.Node node : cluster.nodes()) {
            List<?> reply = (List<?>) node.call("PUBSUB", "NUMSUB", channel);
            total += (Long) reply.get(1);
        }
        return total;
    }
}
