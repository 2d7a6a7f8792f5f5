package io.flashsale.chaos;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal blocking RESP client for reading (and once resetting) one Redis logical database from
 * outside the service under test. It selects its database on connect, so every command it sends,
 * FLUSHDB included, stays inside that database.
 */
final class RedisProbe implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final int database;

    RedisProbe(String host, int port, int database) throws IOException {
        this.socket = new Socket(host, port);
        this.socket.setSoTimeout(5_000);
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
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

    /** Sends one command; answers String (simple or bulk), Long, List or null. */
    synchronized Object command(String... args) throws IOException {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.UTF_8));
        for (String arg : args) {
            byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
            request.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.UTF_8));
            request.writeBytes(bytes);
            request.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        out.write(request.toByteArray());
        out.flush();
        return read();
    }

    private Object read() throws IOException {
        int type = in.read();
        String line = line();
        switch (type) {
            case '+':
                return line;
            case '-':
                throw new IOException("Redis error: " + line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int length = Integer.parseInt(line);
                if (length < 0) {
                    return null;
                }
                byte[] bytes = in.readNBytes(length);
                line(); // CRLF
                return new String(bytes, StandardCharsets.UTF_8);
            }
            case '*': {
                int count = Integer.parseInt(line);
                if (count < 0) {
                    return null;
                }
                List<Object> items = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    items.add(read());
                }
                return items;
            }
            case -1:
                throw new EOFException("Redis closed the connection");
            default:
                throw new IOException("unexpected RESP type '" + (char) type + "'");
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\r') {
            if (c == -1) {
                throw new EOFException("Redis closed the connection");
            }
            bytes.write(c);
        }
        if (in.read() != '\n') {
            throw new IOException("malformed RESP line");
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
