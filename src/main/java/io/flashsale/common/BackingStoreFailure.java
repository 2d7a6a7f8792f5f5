package io.flashsale.common;

import java.sql.SQLException;

/** Recognizes failures of Redis, the database or Kafka, which clients see as 503 UNAVAILABLE. */
public final class BackingStoreFailure {

    private BackingStoreFailure() {
    }

    public static boolean isCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException
                    || t instanceof java.net.ConnectException
                    || t instanceof java.io.IOException
                    || t instanceof io.vertx.core.VertxException
                    || t instanceof java.util.concurrent.TimeoutException
                    || t instanceof jakarta.persistence.PersistenceException
                    || t.getClass().getName().startsWith("io.vertx.redis")
                    // Vert.x reports a connection dropped under a request ("Connection is closed",
                    // e.g. a Redis node killed) with this stackless throwable
                    || t.getClass().getName().equals("io.vertx.core.impl.NoStackTraceThrowable")
                    || t.getClass().getName().startsWith("jakarta.transaction")
                    || t.getClass().getName().startsWith("org.apache.kafka")) {
                return true;
            }
        }
        return false;
    }
}
