package io.flashsale.support;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.annotation.Priority;

/**
 * Flyway cleans the test database at start, so sale ids restart at 1: the test Redis logical
 * database is flushed at the same moment so no key of an earlier run can meet a new sale.
 */
@ApplicationScoped
public class FreshRedis {

    void flush(@Observes @Priority(1) StartupEvent event, RedisDataSource redis) {
        redis.execute("FLUSHDB");
    }
}
