package io.flashsale.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Proves each fault of {@link FaultProxy} against the real MariaDB (database flashsale_chaos) and
 * Redis (logical database 5 only). Plain JUnit: no Quarkus application, so the shared test
 * database is left alone.
 */
@Timeout(60)
class FaultProxyTests {

    private static final String DB_PARAMS = "/flashsale_chaos?user=flashsale&password=flashsale&sslMode=disable"
            + "&connectTimeout=3000&socketTimeout=20000";
    private static final String DIRECT_DB = "jdbc:mariadb://127.0.0.1:3306" + DB_PARAMS;
    private static final int REDIS_PORT = 6379;
    private static final String REDIS_KEY_PREFIX = "flashsale:fault-proxy-test:";

    /** Rows this class inserted into the scratch table, removed after all tests. */
    private static final List<String> PROBE_IDS = new CopyOnWriteArrayList<>();

    private FaultProxy proxy;

    @BeforeAll
    static void scratchTable() throws SQLException {
        try (Connection c = DriverManager.getConnection(DIRECT_DB); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS proxy_probe (id VARCHAR(64) PRIMARY KEY,"
                    + " created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)) ENGINE=InnoDB");
        }
    }

    @AfterAll
    static void removeProbeRows() throws SQLException {
        try (Connection c = DriverManager.getConnection(DIRECT_DB);
                PreparedStatement delete = c.prepareStatement("DELETE FROM proxy_probe WHERE id = ?")) {
            for (String id : PROBE_IDS) {
                delete.setString(1, id);
                delete.executeUpdate();
            }
        }
    }

    @AfterEach
    void closeProxy() {
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void jdbcQueryPassesThroughUnchanged() throws SQLException {
        proxy = FaultProxy.start("127.0.0.1", 3306);
        try (Connection c = viaProxy()) {
            assertEquals("flashsale_chaos", queryString(c, "SELECT DATABASE()"));
            assertEquals(5050, queryLong(c, "SELECT SUM(seq) FROM seq_1_to_100"));
        }
        assertEquals(1, proxy.connectionsAccepted());
        assertTrue(proxy.bytesToServer() > 0 && proxy.bytesToClient() > 0);
    }

    @Test
    void latencyDelaysBothDirectionsAndKeepsOrder() throws SQLException {
        proxy = FaultProxy.start("127.0.0.1", 3306);
        try (Connection c = viaProxy()) {
            Duration latency = Duration.ofMillis(300);
            proxy.latency(latency);
            long start = System.nanoTime();
            assertEquals(1, queryLong(c, "SELECT 1"));
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            // The query is delayed on the way in and its reply on the way out.
            assertTrue(elapsedMs >= 2 * latency.toMillis(), "round trip took only " + elapsedMs + " ms");

            // A result spanning many TCP chunks arrives intact and in order despite the per-chunk timers.
            proxy.latency(Duration.ofMillis(20));
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT seq, REPEAT('x', 100) FROM seq_1_to_20000")) {
                long expected = 1;
                while (rs.next()) {
                    assertEquals(expected++, rs.getLong(1));
                }
                assertEquals(20_001, expected);
            }

            proxy.latency(Duration.ZERO);
            start = System.nanoTime();
            queryLong(c, "SELECT 1");
            assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < latency.toMillis(),
                    "latency(0) must turn it off");
        }
    }

    @Test
    void pauseHoldsAStatementUntilResume() throws Exception {
        proxy = FaultProxy.start("127.0.0.1", 3306);
        String id = newProbeId();
        try (Connection c = viaProxy()) {
            proxy.pause();
            CompletableFuture<Integer> insert = CompletableFuture.supplyAsync(() -> {
                try (Statement s = c.createStatement()) {
                    return s.executeUpdate("INSERT INTO proxy_probe (id) VALUES ('" + id + "')");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(700);
            assertFalse(insert.isDone(), "the statement must be held while paused");
            assertEquals(0, probeRows(id), "a paused statement must not reach the server");

            proxy.resume();
            assertEquals(1, insert.get(5, TimeUnit.SECONDS));
            assertEquals(1, probeRows(id));
        }
    }

    @Test
    void pauseRepliesLetsARedisCommandRunButDelaysItsReply() throws IOException {
        proxy = FaultProxy.start("127.0.0.1", REDIS_PORT);
        String key = REDIS_KEY_PREFIX + UUID.randomUUID();
        try (Resp viaProxy = new Resp(proxy.port()); Resp direct = new Resp(REDIS_PORT)) {
            proxy.pauseReplies();
            viaProxy.send("SET", key, "written-while-replies-paused");

            // The client sees nothing...
            viaProxy.socket.setSoTimeout(700);
            assertThrows(SocketTimeoutException.class, viaProxy::readLine);
            // ...yet the server already executed the command.
            assertEquals("$28", direct.call("GET", key));
            assertEquals("written-while-replies-paused", direct.readLine());

            proxy.resume();
            viaProxy.socket.setSoTimeout(5_000);
            assertEquals("+OK", viaProxy.readLine());
        } finally {
            deleteRedisKey(key);
        }
    }

    @Test
    void cutAllBreaksOpenConnectionsButNotTheProxy() throws SQLException {
        proxy = FaultProxy.start("127.0.0.1", 3306);
        try (Connection c = viaProxy()) {
            assertEquals(1, queryLong(c, "SELECT 1"));
            proxy.cutAll();
            assertThrows(SQLException.class, () -> queryLong(c, "SELECT 1"));
            assertEquals(0, proxy.openConnections());
        }
        try (Connection again = viaProxy()) {
            assertEquals(1, queryLong(again, "SELECT 1"));
        }
    }

    @Test
    void refusedConnectionsFailUntilTurnedOff() throws SQLException {
        proxy = FaultProxy.start("127.0.0.1", 3306);
        proxy.refuseConnections(true);
        assertThrows(SQLException.class, this::viaProxy);
        assertTrue(proxy.connectionsRefused() >= 1);

        proxy.refuseConnections(false);
        try (Connection c = viaProxy()) {
            assertEquals(1, queryLong(c, "SELECT 1"));
        }
    }

    @Test
    void fixedListenPortIsUsed() throws Exception {
        int free;
        try (ServerSocket probe = new ServerSocket(0)) {
            free = probe.getLocalPort();
        }
        proxy = FaultProxy.start("127.0.0.1", 3306, free);
        assertEquals(free, proxy.port());
        try (Connection c = viaProxy()) {
            assertEquals(1, queryLong(c, "SELECT 1"));
        }
    }

    @Test
    void droppedCommitReplyLeavesACommittedRowTheClientThinksFailed() throws Exception {
        proxy = FaultProxy.start("127.0.0.1", 3306);
        String id = newProbeId();
        SQLException onCommit;
        try (Connection c = viaProxy()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                // A 300 KB statement arrives in several TCP chunks: the packet parser must stay in step.
                s.executeUpdate("INSERT INTO proxy_probe (id) VALUES ('" + id + "') /* " + "x".repeat(300_000) + " */");
            }
            CompletableFuture<Void> dropped = proxy.dropReplyToNextMySqlCommit();
            assertFalse(dropped.isDone(), "the INSERT must not spring the trap");
            onCommit = assertThrows(SQLException.class, c::commit);
            // Fired only if the driver sent COMMIT as a COM_QUERY text, as assumed.
            dropped.get(5, TimeUnit.SECONDS);
        }
        System.out.printf("FaultProxyTests: commit with lost reply threw %s, SQLState %s: %s%n",
                onCommit.getClass().getName(), onCommit.getSQLState(), onCommit.getMessage());
        assertEquals(1, proxy.repliesDropped());
        assertEquals(1, probeRows(id), "the COMMIT ran on the server although the client got an error");

        // One-shot: the next transaction commits normally.
        String second = newProbeId();
        try (Connection c = viaProxy()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO proxy_probe (id) VALUES ('" + second + "')");
            }
            c.commit();
        }
        assertEquals(1, probeRows(second));
        assertEquals(1, proxy.repliesDropped());
    }

    @Test
    void commitTrapForOneKindOfTransactionLetsOtherCommitsThrough() throws Exception {
        proxy = FaultProxy.start("127.0.0.1", 3306);
        String other = newProbeId();
        String wanted = newProbeId();
        try (Connection busy = viaProxy(); Connection target = viaProxy()) {
            busy.setAutoCommit(false);
            target.setAutoCommit(false);
            try (Statement s = target.createStatement()) {
                s.executeUpdate("INSERT INTO proxy_probe (id) VALUES ('" + wanted + "') /* wanted */");
            }
            // armed after the statement it looks for was sent: the open transaction still counts
            CompletableFuture<Void> dropped = proxy.dropReplyToNextMySqlCommitOf(sql -> sql.contains("/* wanted */"));
            try (Statement s = busy.createStatement()) {
                s.executeUpdate("INSERT INTO proxy_probe (id) VALUES ('" + other + "')");
            }
            busy.commit(); // another transaction's COMMIT: not the one
            assertFalse(dropped.isDone(), "a COMMIT of another transaction must not spring the trap");
            try (PreparedStatement s = busy.prepareStatement("SELECT COUNT(*) FROM proxy_probe WHERE id = ?")) {
                s.setString(1, other);
                s.executeQuery().close();
            }
            busy.commit();
            assertFalse(dropped.isDone(), "the first transaction's statements were forgotten at its COMMIT");
            assertThrows(SQLException.class, target::commit);
            dropped.get(5, TimeUnit.SECONDS);
        }
        assertEquals(1, proxy.repliesDropped());
        assertEquals(1, probeRows(other));
        assertEquals(1, probeRows(wanted), "the trapped COMMIT ran on the server");
    }

    @Test
    void mySqlPacketsSplitAcrossAndCombinedInChunksAreParsed() throws Exception {
        // A fake server speaking only the framing, so the client can cut packets wherever it likes
        // (a real driver sends one whole packet per request and waits for the reply).
        try (ServerSocket fake = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> answerEachPacketWithOk(fake));
            server.setDaemon(true);
            server.start();
            proxy = FaultProxy.start("127.0.0.1", fake.getLocalPort());
            CompletableFuture<Void> dropped = proxy.dropReplyToNextMySqlCommit();
            try (Socket client = new Socket("127.0.0.1", proxy.port())) {
                client.setTcpNoDelay(true);
                client.setSoTimeout(5_000);
                InputStream in = client.getInputStream();
                OutputStream out = client.getOutputStream();
                assertEquals(5, in.readNBytes(5).length, "greeting");

                byte[] select = comQuery("SELECT 'COMMIT'");
                byte[] commit = comQuery(" commit ");
                // One chunk: a whole packet plus the first 3 header bytes of the next; then the rest bytewise.
                out.write(concat(select, Arrays.copyOf(commit, 3)));
                out.flush();
                assertEquals(11, in.readNBytes(11).length, "the SELECT's OK reaches the client");
                for (int i = 3; i < commit.length; i++) {
                    Thread.sleep(i == 3 ? 100 : 5);
                    out.write(commit[i]);
                    out.flush();
                }
                assertEquals(-1, in.read(), "the COMMIT's OK is dropped and the connection closed");
            }
            assertTrue(dropped.isDone());
            assertEquals(1, proxy.repliesDropped());
        }
    }

    /** Reads MySQL packets and answers each with an OK packet (seq + 1), until the peer closes. */
    private static void answerEachPacketWithOk(ServerSocket fake) {
        try (Socket s = fake.accept()) {
            DataInputStream in = new DataInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            out.write(new byte[] {1, 0, 0, 0, 0x0a}); // the server speaks first, as MySQL does
            out.flush();
            byte[] header = new byte[4];
            while (true) {
                in.readFully(header);
                in.readFully(new byte[(header[0] & 0xff) | (header[1] & 0xff) << 8 | (header[2] & 0xff) << 16]);
                out.write(new byte[] {7, 0, 0, (byte) (header[3] + 1), 0, 0, 0, 2, 0, 0, 0});
                out.flush();
            }
        } catch (IOException closed) {
            // the proxy closed the connection: done
        }
    }

    private static byte[] comQuery(String sql) {
        byte[] text = sql.getBytes(StandardCharsets.UTF_8);
        byte[] packet = new byte[4 + 1 + text.length];
        int len = 1 + text.length;
        packet[0] = (byte) len;
        packet[1] = (byte) (len >> 8);
        packet[2] = (byte) (len >> 16);
        packet[4] = 0x03;
        System.arraycopy(text, 0, packet, 5, text.length);
        return packet;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    @Test
    void droppedRedisReplyLeavesTheWriteDoneAndTheConnectionClosed() throws Exception {
        proxy = FaultProxy.start("127.0.0.1", REDIS_PORT);
        String key = REDIS_KEY_PREFIX + UUID.randomUUID();
        try (Resp viaProxy = new Resp(proxy.port()); Resp direct = new Resp(REDIS_PORT)) {
            CompletableFuture<Void> dropped = proxy.dropReplyToNextRedisCommand("set");
            assertEquals("$-1", viaProxy.call("GET", key), "other commands pass");
            // The command arrives in two TCP chunks, split inside a bulk string: the parser must join them.
            byte[] set = Resp.encode("SET", key, "v");
            viaProxy.socket.setTcpNoDelay(true);
            viaProxy.out.write(set, 0, 20);
            viaProxy.out.flush();
            Thread.sleep(200);
            viaProxy.out.write(set, 20, set.length - 20);
            viaProxy.out.flush();
            viaProxy.socket.setSoTimeout(5_000);
            assertEquals(-1, viaProxy.socket.getInputStream().read(), "the client gets end of stream, no reply");
            assertTrue(dropped.isDone());
            assertEquals("$1", direct.call("GET", key));
        } finally {
            deleteRedisKey(key);
        }
    }

    private Connection viaProxy() throws SQLException {
        return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + proxy.port() + DB_PARAMS);
    }

    private static String newProbeId() {
        String id = "fault-proxy-" + UUID.randomUUID();
        PROBE_IDS.add(id);
        return id;
    }

    private static long probeRows(String id) throws SQLException {
        try (Connection c = DriverManager.getConnection(DIRECT_DB)) {
            return queryLong(c, "SELECT COUNT(*) FROM proxy_probe WHERE id = '" + id + "'");
        }
    }

    private static long queryLong(Connection c, String sql) throws SQLException {
        return Long.parseLong(queryString(c, sql));
    }

    private static String queryString(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next());
            return rs.getString(1);
        }
    }

    private static void deleteRedisKey(String key) throws IOException {
        try (Resp direct = new Resp(REDIS_PORT)) {
            direct.call("DEL", key);
        }
    }

    /** Minimal RESP client on a raw socket, always on logical database 5, so the bytes on the wire are ours. */
    private static final class Resp implements AutoCloseable {
        final Socket socket;
        final OutputStream out;
        final InputStream in;

        Resp(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(5_000);
            out = socket.getOutputStream();
            in = socket.getInputStream();
            assertEquals("+OK", call("SELECT", "5"));
        }

        static byte[] encode(String... args) {
            StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
            for (String a : args) {
                sb.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
            }
            return sb.toString().getBytes(StandardCharsets.UTF_8);
        }

        void send(String... args) throws IOException {
            out.write(encode(args));
            out.flush();
        }

        /** Sends a command and returns the first line of its reply. */
        String call(String... args) throws IOException {
            send(args);
            return readLine();
        }

        String readLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != '\n') {
                if (b < 0) {
                    throw new IOException("connection closed");
                }
                if (b != '\r') {
                    line.write(b);
                }
            }
            return line.toString(StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
