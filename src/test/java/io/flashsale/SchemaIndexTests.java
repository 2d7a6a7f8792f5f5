package io.flashsale;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every query the service runs is served by an index (EXPLAIN names a key, never a full scan). */
@QuarkusTest
class SchemaIndexTests {

    @Inject
    DataSource db;

    @ParameterizedTest
    @ValueSource(strings = {
            "SELECT * FROM sales WHERE id = 1",
            "SELECT * FROM orders WHERE id = 1",
            "SELECT status, COUNT(*) FROM orders WHERE sale_id = 1 GROUP BY status",
            "SELECT id FROM orders WHERE sale_id = 1 AND active_user_id = 'u'",
            "SELECT id FROM orders WHERE payment_id = 'p'",
            "SELECT id FROM orders WHERE status = 'PENDING_PAYMENT' AND created_at < NOW() AND reminded_at IS NULL",
            "SELECT id FROM orders WHERE status = 'PENDING_PAYMENT' AND pay_by < NOW()",
            "SELECT id FROM outbox_events WHERE status = 'PENDING' AND next_attempt_at <= NOW() ORDER BY id",
            "SELECT id FROM outbox_events WHERE aggregate_id = 1 AND id < 5 AND status <> 'PUBLISHED'",
            "SELECT 1 FROM refund_requests WHERE payment_id = 'p'",
            "SELECT 1 FROM processed_events WHERE consumer = 'c' AND event_id = 'e'",
            "SELECT 1 FROM processed_events WHERE processed_at < NOW()",
            "SELECT * FROM sale_stats WHERE sale_id = 1",
            "SELECT id FROM outbox_events WHERE status = 'PUBLISHED' AND published_at < NOW()",
            "SELECT id FROM outbox_events WHERE event_id = 'x'",
            // OrderArchiver and the reads of archived orders (OrderHistory)
            "SELECT s.id FROM sales s WHERE s.ends_at < NOW() AND EXISTS (SELECT 1 FROM orders o WHERE o.sale_id = s.id)"
                    + " ORDER BY s.ends_at LIMIT 100",
            "SELECT id FROM orders WHERE sale_id = 1 ORDER BY id LIMIT 1000 FOR UPDATE SKIP LOCKED",
            "SELECT MAX(created_at) FROM orders WHERE sale_id = 1",
            "SELECT id, status FROM orders_history WHERE id = 1",
            "SELECT id, status FROM orders_history WHERE user_id = 'u' ORDER BY created_at DESC LIMIT 20",
            "SELECT id, status FROM orders_history WHERE user_id = 'u' AND sale_id = 1 ORDER BY created_at DESC LIMIT 20",
    })
    void queryUsesAnIndex(String query) throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement();
                ResultSet plan = s.executeQuery("EXPLAIN " + query)) {
            while (plan.next()) {
                String extra = String.valueOf(plan.getString("Extra"));
                if (extra.contains("const tables")) {
                    continue; // answered through a unique key lookup before any scan
                }
                // On a near-empty table the optimizer may prefer a scan; what must exist is an index
                // it can use once the table is big.
                assertNotNull(plan.getString("possible_keys"), "no usable index for: " + query + " (" + extra + ")");
            }
        }
    }
}
