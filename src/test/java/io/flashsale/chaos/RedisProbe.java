package io.flashsale.chaos;

import io.flashsale.support.Resp;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Reads (and once resets) one Redis logical database from outside the service under test, over
 * its own RESP connection ({@link Resp}). It selects its database on connect, so every command it
 * sends, FLUSHDB included, stays inside that database.
 */
final class RedisProbe implements AutoCloseable {

    private final Resp resp;
    private final int database;

    RedisProbe(String host, int port, int database) throws IOException {
        this.resp = new Resp(host, port, 5_000);
        this.database = database;
        Object selected = command("SELECT", Integer.toString(database));
        if (!"OK".equals(selected)) {
            throw new IOException("SELECT " + database + " answered " + selected);
        }
    }

    int database() {
        return database;
    }

    /** Empties this logical database only. */
    void flushDb() throws IOException {
        Object answer = command("FLUSHDB");
        if (!"OK".equals(answer)) {
            throw new IOException("FLUSHDB answered " + answer);
        }
    }

    /** GET as a number; null when the key does not exist. */
    Long getLong(String key) throws IOException {
        Object value = command("GET", key);
        return value == null ? null : Long.valueOf((String) value);
    }

    long hlen(String key) throws IOException {
        return (Long) command("HLEN", key);
    }

    /** Sends one command; answers String (simple or bulk), Long, List or null; a Redis error is an IOException. */
    Object command(String... args) throws IOException {
        try {
            return resp.command(args);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (IllegalStateException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        resp.close();
    }
}
