package io.flashsale.support;

import static io.restassured.RestAssured.given;

import io.flashsale.sale.SaleKeys;
import io.quarkus.redis.datasource.RedisDataSource;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/** Shared test fixtures: sales and buyers through the public API, state read straight from the stores. */
@ApplicationScoped
public class Fixtures {

    private static final AtomicInteger BUYERS = new AtomicInteger();

    private final DataSource db;
    private final RedisDataSource redis;

    public Fixtures(DataSource db, RedisDataSource redis) {
        this.db = db;
        this.redis = redis;
    }

    public static String saleJson(int stock, Instant startsAt, Instant endsAt) {
        return """
                {"sku":"SKU-%s","title":"Test sale","priceCents":1999,"stock":%d,
                 "startsAt":"%s","endsAt":"%s"}""".formatted(UUID.randomUUID().toString().substring(0, 8), stock,
                startsAt, endsAt);
    }

    /** An active sale (started a second ago, ends in an hour). */
    public long activeSale(int stock) {
        return createSale(saleJson(stock, Instant.now().minusSeconds(1), Instant.now().plus(Duration.ofHours(1))));
    }

    public long createSale(String json) {
        return given().contentType(ContentType.JSON).body(json)
                .when().post("/api/sales")
                .then().statusCode(201)
                .extract().jsonPath().getLong("id");
    }

    public static String newBuyer() {
        return "buyer-" + BUYERS.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 6);
    }

    public static Response purchase(long saleId, String userId) {
        return given().contentType(ContentType.JSON).body("{\"userId\":\"" + userId + "\"}")
                .when().post("/api/sales/" + saleId + "/purchases");
    }

    public long redisStock(long saleId) {
        String value = redis.value(String.class).get(new SaleKeys(saleId).stock());
        return value == null ? -1 : Long.parseLong(value);
    }

    public long redisReservations(long saleId) {
        return redis.hash(String.class).hlen(new SaleKeys(saleId).reservations());
    }

    public long redisBuyers(long saleId) {
        return redis.hash(String.class).hlen(new SaleKeys(saleId).buyers());
    }

    public long count(String sql, Object... params) {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public void execute(String sql) {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.execute();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A database connection of the test's own, outside the service's pool: for faults that hold
     * locks (LOCK TABLES) or kill the service's statements while the service keeps running.
     */
    public static Connection directConnection() throws SQLException {
        var config = org.eclipse.microprofile.config.ConfigProvider.getConfig();
        return java.sql.DriverManager.getConnection(config.getValue("quarkus.datasource.jdbc.url", String.class),
                config.getValue("quarkus.datasource.username", String.class),
                config.getValue("quarkus.datasource.password", String.class));
    }

    /** A purchase running on its own thread, so the test can fault the stores while it is in flight. */
    public static java.util.concurrent.CompletableFuture<Response> purchaseAsync(long saleId, String userId) {
        return java.util.concurrent.CompletableFuture.supplyAsync(() -> purchase(saleId, userId).then().extract().response());
    }

    /** Deletes every Redis key of one sale, as a Redis that lost its data would. */
    public void loseRedisKeys(long saleId) {
        SaleKeys keys = new SaleKeys(saleId);
        redis.key(String.class).del(keys.meta(), keys.stock(), keys.buyers(), keys.reservations(), keys.waitlist(),
                keys.promoted(), keys.voided());
    }

    public long activeOrders(long saleId) {
        return count("SELECT COUNT(*) FROM orders WHERE sale_id = ? AND status IN ('PENDING_PAYMENT','PAID')", saleId);
    }

    /**
     * The invariants of ARCHITECTURE.md after a faulted sale, given what the crowd was told:
     * every 201 has its order row and exactly one created event; no oversell; one active order per
     * buyer; and (once the reconciler settled everything) Redis available + active = stock.
     * Returns the number of units left stranded at the end (always 0 when this passes).
     */
    public void assertInvariantsAfterFaults(long saleId, int stock, java.util.List<SaleLoad.Answer> answers) {
        for (SaleLoad.Answer a : answers) {
            if (a.status() == 201) {
                long id = io.flashsale.common.OrderIds.parse(a.orderId()).orElseThrow();
                if (count("SELECT COUNT(*) FROM orders WHERE id = ? AND user_id = ? AND status <> 'VOID'", id,
                        a.buyer()) != 1) {
                    throw new AssertionError("lost: " + a.buyer() + " was told 201 " + a.orderId() + " but has no order");
                }
                if (count("SELECT COUNT(*) FROM outbox_events WHERE aggregate_id = ? AND event_type ="
                        + " 'flashsale.order.created'", id) != 1) {
                    throw new AssertionError("order " + a.orderId() + " lacks exactly one created event");
                }
            }
            if (a.status() >= 500 && a.status() != 503) {
                throw new AssertionError("a " + a.status() + " answered " + a.buyer());
            }
        }
        long active = activeOrders(saleId);
        if (active > stock) {
            throw new AssertionError("oversold: " + active + " active orders on stock " + stock);
        }
        if (count("SELECT COUNT(*) FROM (SELECT user_id FROM orders WHERE sale_id = ? AND status IN"
                + " ('PENDING_PAYMENT','PAID') GROUP BY user_id HAVING COUNT(*) > 1) d", saleId) != 0) {
            throw new AssertionError("a buyer holds two active orders");
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertConservation(saleId, stock));
        long told201 = answers.stream().filter(a -> a.status() == 201).count();
        org.jboss.logging.Logger.getLogger(Fixtures.class).infof(
                "[faults] sale %d: answers %s | 201s=%d ordersFound=%d oversold=%d lost=0 stranded=%d fencedIds=%d",
                saleId, SaleLoad.byStatus(answers), told201, active, Math.max(0, active - stock),
                stock - active - redisStock(saleId),
                count("SELECT COUNT(*) FROM orders WHERE sale_id = ? AND status = 'VOID'", saleId));
    }

    /** Invariant 3 of ARCHITECTURE.md: Redis available + active orders = stock. */
    public void assertConservation(long saleId, int stock) {
        long available = redisStock(saleId);
        long active = activeOrders(saleId);
        if (available < 0 || available + active != stock) {
            throw new AssertionError("conservation broken for sale " + saleId + ": available " + available
                    + " + active orders " + active + " != stock " + stock);
        }
    }
}
