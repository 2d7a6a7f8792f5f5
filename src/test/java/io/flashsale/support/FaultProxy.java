package io.flashsale.support;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Test-only TCP proxy that sits between a client (JDBC driver, Redis client) and a real MariaDB or
 * Redis, and injects the faults a flash sale must survive: slow links, stalls, cut connections, a
 * server that is down, and a reply lost after the server already did the work.
 *
 * <p>Threading: each proxied connection (a session) lives on one Vert.x event loop and all of its
 * state is touched only there, so bytes keep their order whatever the faults do. Toggles are
 * volatile fields read by the sessions; those that must act on bytes already held (resume, cut)
 * are handed to each session's event loop. Any toggle may be called from any test thread.
 */
public final class FaultProxy implements AutoCloseable {

    /** The wire protocols whose commands the proxy can recognise, to drop the reply to one of them. */
    public enum Protocol {
        /** MySQL/MariaDB client/server protocol; a command is the SQL text of a COM_QUERY. */
        MYSQL,
        /** Redis RESP; a command is its arguments joined by single spaces, e.g. {@code "SET k v"}. */
        REDIS,
        /** Anything else: forwarded, never parsed. */
        OTHER
    }

    private static final Duration AWAIT = Duration.ofSeconds(10);

    private final Vertx vertx;
    private final NetServer server;
    private final NetClient client;
    private final String targetHost;
    private final int targetPort;
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();

    private volatile long latencyNanos;
    private volatile boolean holdToServer;
    private volatile boolean holdToClient;
    private volatile boolean refusing;
    private final AtomicReference<Trap> trap = new AtomicReference<>();

    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicInteger repliesDropped = new AtomicInteger();
    private final AtomicLong bytesToServer = new AtomicLong();
    private final AtomicLong bytesToClient = new AtomicLong();

    private FaultProxy(String targetHost, int targetPort, int listenPort) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.vertx = Vertx.vertx();
        this.client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(5_000).setTcpNoDelay(true));
        this.server = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(listenPort)
                .setTcpNoDelay(true));
        server.connectHandler(this::accept);
        try {
            await(server.listen());
        } catch (RuntimeException e) {
            await(vertx.close());
            throw e;
        }
    }

    /** Starts a proxy to the target on an ephemeral 127.0.0.1 port (see {@link #port()}), so tests never collide. */
    public static FaultProxy start(String targetHost, int targetPort) {
        return start(targetHost, targetPort, 0);
    }

    /** Starts a proxy on a fixed port, for a child process whose configuration names the port before it exists. */
    public static FaultProxy start(String targetHost, int targetPort, int listenPort) {
        return new FaultProxy(targetHost, targetPort, listenPort);
    }

    /** The port clients must connect to instead of the target's. */
    public int port() {
        return server.actualPort();
    }

    /**
     * Delays every chunk, in both directions, by this much after it reached the proxy (zero turns it
     * off): a slow network. Order is kept because a chunk never overtakes the one before it.
     */
    public FaultProxy latency(Duration delay) {
        latencyNanos = delay.toNanos();
        return this;
    }

    /** Holds all bytes in both directions, in order, until {@link #resume()}: a stalled DB or Redis. */
    public FaultProxy pause() {
        holdToServer = true;
        holdToClient = true;
        return this;
    }

    /**
     * Holds only server-to-client bytes: commands still reach the server and run, but their replies
     * come late, as when a client times out after the server already executed its script.
     */
    public FaultProxy pauseReplies() {
        holdToClient = true;
        return this;
    }

    /** Releases everything held by {@link #pause()} or {@link #pauseReplies()}, in arrival order. */
    public FaultProxy resume() {
        holdToServer = false;
        holdToClient = false;
        onEachSession(Session::pumpBoth, false);
        return this;
    }

    /**
     * Closes every open connection, both the client's and the server's side, and waits until they
     * are closed, so that the client's next use of the connection fails. Held bytes are discarded.
     */
    public FaultProxy cutAll() {
        onEachSession(Session::closeBoth, true);
        return this;
    }

    /**
     * While true, each new client connection is closed at once without reaching the target: the
     * server looks unreachable. With {@link #cutAll()} first, this is "the DB is down for a while".
     */
    public FaultProxy refuseConnections(boolean refuse) {
        refusing = refuse;
        return this;
    }

    /**
     * Arms a one-shot trap: the next command of that protocol (on any connection) that the matcher
     * accepts is forwarded and runs on the server; the proxy then waits for the server's reply (the
     * proof that it ran), discards it and closes both sides of that connection. The client sees a
     * broken connection for a command that in fact took effect. Re-arming replaces an unfired trap.
     *
     * <p>Caveat: "the reply" is the first server bytes after the command; with replies to earlier
     * pipelined commands still in flight those would be dropped instead.
     *
     * @return completes once a reply was dropped, so a test can tell the trap fired (and when)
     */
    public CompletableFuture<Void> dropReplyToNext(Protocol protocol, Predicate<String> command) {
        Trap armed = new Trap(protocol, command);
        trap.set(armed);
        return armed.fired;
    }

    /**
     * {@link #dropReplyToNextMySqlCommit()} for the next {@code COMMIT} of a transaction that ran a
     * statement this matcher accepts (its SQL as sent by COM_QUERY or COM_STMT_PREPARE since that
     * connection's previous COMMIT or ROLLBACK): a test can lose the commit reply of one kind of
     * transaction (an order batch, say) while other jobs commit all the time.
     */
    public CompletableFuture<Void> dropReplyToNextMySqlCommitOf(Predicate<String> statementInTransaction) {
        Trap armed = new Trap(Protocol.MYSQL, FaultProxy::isCommit, statementInTransaction,
                new CompletableFuture<>());
        trap.set(armed);
        return armed.fired;
    }

    private static boolean isCommit(String sql) {
        return sql.trim().equalsIgnoreCase("COMMIT");
    }

    /**
     * {@link #dropReplyToNext} for the next {@code COMMIT} sent as a COM_QUERY (as the MariaDB driver
     * does on {@code Connection.commit()}): the transaction is durable but the client is told nothing.
     */
    public CompletableFuture<Void> dropReplyToNextMySqlCommit() {
        return dropReplyToNext(Protocol.MYSQL, FaultProxy::isCommit);
    }

    /** {@link #dropReplyToNext} for the next Redis command with this name (e.g. EVALSHA), case-insensitive. */
    public CompletableFuture<Void> dropReplyToNextRedisCommand(String commandName) {
        return dropReplyToNext(Protocol.REDIS, cmd -> cmd.split(" ", 2)[0].equalsIgnoreCase(commandName));
    }

    /** Client connections accepted (refused ones included), to check a client really went through the proxy. */
    public int connectionsAccepted() {
        return accepted.get();
    }

    /** Client connections closed at once by {@link #refuseConnections(boolean)}. */
    public int connectionsRefused() {
        return refused.get();
    }

    /** Connections currently proxied (a closed one leaves once both of its sides are closed). */
    public int openConnections() {
        return sessions.size();
    }

    /** Replies discarded by {@link #dropReplyToNext} traps so far. */
    public int repliesDropped() {
        return repliesDropped.get();
    }

    /** Bytes written to the target, to check traffic flowed (or was held). */
    public long bytesToServer() {
        return bytesToServer.get();
    }

    /** Bytes written back to clients, to check replies flowed (or were held). */
    public long bytesToClient() {
        return bytesToClient.get();
    }

    /** Cuts every connection, stops listening and closes the proxy's own Vert.x instance. */
    @Override
    public void close() {
        try {
            cutAll();
            await(server.close());
        } finally {
            await(vertx.close());
        }
    }

    private void accept(NetSocket clientSocket) {
        accepted.incrementAndGet();
        if (refusing) {
            refused.incrementAndGet();
            clientSocket.close();
            return;
        }
        new Session(clientSocket).connect();
    }

    /**
     * Runs the action on each session's event loop and, from a test thread, waits until all have run
     * (and, if asked, until both sides of each session are closed), so the toggle has taken effect on return.
     */
    private void onEachSession(Consumer<Session> action, boolean untilClosed) {
        List<Future<Void>> done = new ArrayList<>();
        for (Session s : sessions) {
            Promise<Void> p = Promise.promise();
            s.ctx.runOnContext(v -> {
                try {
                    action.accept(s);
                } finally {
                    p.complete();
                }
            });
            done.add(untilClosed ? p.future().compose(v -> s.closed()) : p.future());
        }
        if (!Context.isOnVertxThread()) {
            await(Future.join(done));
        }
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("FaultProxy: operation did not complete", e);
        }
    }

    /** {@code inTransaction}: null, or what one statement of the command's transaction must match. */
    private record Trap(Protocol protocol, Predicate<String> matcher, Predicate<String> inTransaction,
            CompletableFuture<Void> fired) {
        Trap(Protocol protocol, Predicate<String> matcher) {
            this(protocol, matcher, null, new CompletableFuture<>());
        }
    }

    private record Chunk(Buffer data, long dueNanos) {
    }

    /** One client connection and its connection to the target; every method runs on {@link #ctx}. */
    private final class Session {
        final Context ctx = Vertx.currentContext();
        final NetSocket clientSocket;
        NetSocket serverSocket;
        final Direction toServer = new Direction(true);
        final Direction toClient = new Direction(false);
        /** Decided by who speaks first: a MySQL server greets, a Redis client starts with '*'. */
        Protocol protocol;
        /** Client bytes not yet parsed into whole commands. */
        Buffer unparsed = Buffer.buffer();
        /** The trap whose command this session forwarded: its next server bytes are dropped. */
        Trap sprung;
        /** MySQL: the statements sent since this connection's last COMMIT or ROLLBACK (the last 64). */
        final java.util.ArrayDeque<String> transaction = new java.util.ArrayDeque<>();
        boolean clientClosed;
        boolean serverClosed;
        final Promise<Void> bothClosed = Promise.promise();

        Session(NetSocket clientSocket) {
            this.clientSocket = clientSocket;
        }

        void connect() {
            sessions.add(this);
            // Nothing to forward to yet: let the kernel hold the client's first bytes meanwhile.
            clientSocket.pause();
            clientSocket.closeHandler(v -> onCtx(() -> sideClosed(true)));
            clientSocket.exceptionHandler(e -> onCtx(this::closeBoth));
            client.connect(targetPort, targetHost).onComplete(ar -> onCtx(() -> {
                if (ar.failed() || clientClosed) {
                    if (ar.succeeded()) {
                        ar.result().close();
                    }
                    serverClosed = true;
                    closeBoth();
                    return;
                }
                serverSocket = ar.result();
                serverSocket.closeHandler(v -> onCtx(() -> sideClosed(false)));
                serverSocket.exceptionHandler(e -> onCtx(this::closeBoth));
                serverSocket.handler(b -> onCtx(() -> fromServer(b)));
                clientSocket.handler(b -> onCtx(() -> fromClient(b)));
                clientSocket.resume();
            }));
        }

        /** Socket handlers normally already run on ctx; hop there if Vert.x ever hands them elsewhere. */
        void onCtx(Runnable r) {
            if (Vertx.currentContext() == ctx) {
                r.run();
            } else {
                ctx.runOnContext(v -> r.run());
            }
        }

        void fromClient(Buffer b) {
            if (protocol == null) {
                protocol = b.getByte(0) == '*' ? Protocol.REDIS : Protocol.OTHER;
            }
            if (protocol != Protocol.OTHER) {
                unparsed.appendBuffer(b);
                try {
                    unparsed = protocol == Protocol.MYSQL ? parseMySql(unparsed) : parseResp(unparsed);
                } catch (RuntimeException notThatProtocol) {
                    protocol = Protocol.OTHER; // e.g. TLS after an SSLRequest: forward blindly from here on
                    unparsed = Buffer.buffer();
                }
            }
            toServer.add(b);
        }

        void fromServer(Buffer b) {
            if (protocol == null) {
                protocol = Protocol.MYSQL;
            }
            if (sprung != null) {
                // The reply proves the command ran; the client must never see it.
                // Counted before closing, so a client that sees the close also sees the trap fired.
                repliesDropped.incrementAndGet();
                sprung.fired.complete(null);
                sprung = null;
                closeBoth();
                return;
            }
            toClient.add(b);
        }

        /** Packets: 3-byte little-endian payload length, sequence id, payload; COM_QUERY = 0x03 + SQL. */
        Buffer parseMySql(Buffer buf) {
            int pos = 0;
            while (buf.length() - pos >= 4) {
                int len = buf.getUnsignedMediumLE(pos);
                if (buf.length() - pos - 4 < len) {
                    break;
                }
                byte kind = len > 0 ? buf.getByte(pos + 4) : 0;
                if (kind == 0x03) { // COM_QUERY
                    String sql = buf.getString(pos + 5, pos + 4 + len, "UTF-8");
                    onCommand(sql);
                    inTransaction(sql);
                } else if (kind == 0x16) { // COM_STMT_PREPARE: the SQL of a batch the driver bulk-executes
                    inTransaction(buf.getString(pos + 5, pos + 4 + len, "UTF-8"));
                }
                pos += 4 + len;
            }
            return pos == 0 ? buf : buf.getBuffer(pos, buf.length());
        }

        /** RESP commands: {@code *N\r\n} then N times {@code $len\r\n<bytes>\r\n}; inline commands are one line. */
        Buffer parseResp(Buffer buf) {
            int pos = 0;
            while (pos < buf.length()) {
                List<String> args = new ArrayList<>();
                int end = readRespCommand(buf, pos, args);
                if (end < 0) {
                    break;
                }
                onCommand(String.join(" ", args));
                pos = end;
            }
            return pos == 0 ? buf : buf.getBuffer(pos, buf.length());
        }

        /** @return the offset after the command starting at pos, or -1 if it is not complete yet */
        int readRespCommand(Buffer buf, int pos, List<String> args) {
            int eol = lineEnd(buf, pos);
            if (eol < 0) {
                return -1;
            }
            String head = buf.getString(pos, eol, "UTF-8");
            if (!head.startsWith("*")) {
                args.addAll(List.of(head.trim().split("\\s+")));
                return eol + 2;
            }
            int n = Integer.parseInt(head.substring(1));
            int p = eol + 2;
            for (int i = 0; i < n; i++) {
                int e = lineEnd(buf, p);
                if (e < 0) {
                    return -1;
                }
                int len = Integer.parseInt(buf.getString(p + 1, e, "UTF-8"));
                p = e + 2;
                if (buf.length() < p + len + 2) {
                    return -1;
                }
                args.add(buf.getString(p, p + len, "UTF-8"));
                p += len + 2;
            }
            return p;
        }

        int lineEnd(Buffer buf, int from) {
            for (int i = from; i + 1 < buf.length(); i++) {
                if (buf.getByte(i) == '\r' && buf.getByte(i + 1) == '\n') {
                    return i;
                }
            }
            return -1;
        }

        void onCommand(String command) {
            Trap t = trap.get();
            if (t != null && t.protocol == protocol && t.matcher.test(command)
                    && (t.inTransaction == null || transaction.stream().anyMatch(t.inTransaction))
                    && trap.compareAndSet(t, null)) {
                sprung = t;
            }
        }

        /** Remembers a statement of the open transaction; COMMIT and ROLLBACK end it. */
        void inTransaction(String sql) {
            String trimmed = sql.trim();
            if (trimmed.equalsIgnoreCase("COMMIT") || trimmed.equalsIgnoreCase("ROLLBACK")) {
                transaction.clear();
                return;
            }
            if (transaction.size() == 64) {
                transaction.removeFirst();
            }
            transaction.addLast(trimmed);
        }

        void pumpBoth() {
            toServer.pump();
            toClient.pump();
        }

        /** A side closed: flush what is queued towards the other side, then close it too. */
        void sideClosed(boolean clientSide) {
            if (clientSide) {
                clientClosed = true;
                toServer.sourceClosed = true;
                toServer.pump();
            } else {
                serverClosed = true;
                toClient.sourceClosed = true;
                toClient.pump();
            }
            if (clientClosed && serverClosed) {
                sessions.remove(this);
                bothClosed.tryComplete();
            }
        }

        void closeBoth() {
            toServer.discard();
            toClient.discard();
            clientSocket.close();
            if (serverSocket != null) {
                serverSocket.close();
            } else {
                serverClosed = true;
            }
            if (clientClosed && serverClosed) {
                sessions.remove(this);
                bothClosed.tryComplete();
            }
        }

        Future<Void> closed() {
            return clientClosed && serverClosed ? Future.succeededFuture() : bothClosed.future();
        }

        /** The ordered queue of chunks going one way, released as latency and holds allow. */
        final class Direction {
            final boolean toServerSide;
            final ArrayDeque<Chunk> queue = new ArrayDeque<>();
            boolean sourceClosed;
            long timer = -1;

            Direction(boolean toServerSide) {
                this.toServerSide = toServerSide;
            }

            void add(Buffer b) {
                queue.add(new Chunk(b, System.nanoTime() + latencyNanos));
                pump();
            }

            void pump() {
                NetSocket dest = toServerSide ? serverSocket : clientSocket;
                if (dest == null) {
                    return; // still connecting to the target; connect() closes the client if it is gone
                }
                while (!queue.isEmpty()) {
                    if (toServerSide ? holdToServer : holdToClient) {
                        return;
                    }
                    long wait = queue.peek().dueNanos - System.nanoTime();
                    if (wait > 0) {
                        if (timer < 0) {
                            long ms = Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait + 999_999));
                            timer = vertx.setTimer(ms, id -> onCtx(() -> {
                                timer = -1;
                                pump();
                            }));
                        }
                        return;
                    }
                    Buffer data = queue.poll().data;
                    dest.write(data);
                    (toServerSide ? bytesToServer : bytesToClient).addAndGet(data.length());
                }
                if (sourceClosed) {
                    dest.close();
                }
            }

            void discard() {
                queue.clear();
                if (timer >= 0) {
                    vertx.cancelTimer(timer);
                    timer = -1;
                }
            }
        }
    }
}
