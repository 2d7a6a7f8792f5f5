package io.flashsale.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Puts a {@link FaultProxy} between the service and each of MariaDB and Redis, for tests that
 * inject faults on the wire: the service's datasource and Redis client are pointed at the proxies,
 * the tests hold the proxies in {@link #db} and {@link #redis}. Assertions that must not suffer
 * the fault use {@link Fixtures#directConnection()} and a direct Redis connection.
 */
public class FaultProxies implements QuarkusTestResourceLifecycleManager {

    public static volatile FaultProxy db;
    public static volatile FaultProxy redis;

    @Override
    public Map<String, String> start() {
        db = FaultProxy.start("127.0.0.1", 3306);
        redis = FaultProxy.start("127.0.0.1", 6379);
        return Map.of(
                "quarkus.datasource.jdbc.url", "jdbc:mariadb://127.0.0.1:" + db.port() + "/flashsale_test",
                "quarkus.redis.hosts", "redis://127.0.0.1:" + redis.port() + "/1",
                // The stalls these tests inject (3 s) outlast the test profile's 2 s grace, so the
                // reconciler could fence a reservation whose late reply is still on its way and turn
                // "the script ran, you have a unit" into a (truthful) 503 at random. Production's grace
                // is 30 s; 10 s keeps it above every stall here while conservation still settles fast.
                "flashsale.lifecycle.reservation-grace", "10S");
    }

    @Override
    public void stop() {
        if (db != null) {
            db.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    /** Every fault off, for the next test. */
    public static void heal() {
        db.refuseConnections(false);
        db.latency(java.time.Duration.ZERO);
        db.resume();
        redis.refuseConnections(false);
        redis.latency(java.time.Duration.ZERO);
        redis.resume();
    }
}
