package io.flashsale.support;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * Flyway cleans the test database at every start. Two things outlive it and must not meet a new
 * sale: the test Redis logical database, or every master of the test cluster (flushed here) and the Kafka topic (kept, like production).
 * Sale ids therefore start at the current epoch second, so events of earlier runs never carry
 * the id of a sale of this run.
 */
@ApplicationScoped
public class FreshTestState {

    void reset(@Observes @Priority(1) StartupEvent event, TestRedis redis, DataSource db) throws SQLException {
        redis.flush();
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute("ALTER TABLE sales AUTO_INCREMENT = " + System.currentTimeMillis() / 1000);
        }
    }
}
