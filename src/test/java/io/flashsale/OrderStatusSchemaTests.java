package io.flashsale;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flashsale.order.OrderStatus;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * "Active order" is defined once, in {@link OrderStatus#ACTIVE}; the database enforces one active
 * order per buyer through a generated column that must list exactly the same statuses.
 */
@QuarkusTest
class OrderStatusSchemaTests {

    @Inject
    DataSource db;

    @Test
    void theSchemasActiveStatusesAreTheCodes() throws Exception {
        String expression;
        try (Connection c = db.getConnection(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT GENERATION_EXPRESSION FROM information_schema.COLUMNS"
                        + " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'orders' AND COLUMN_NAME = 'active_user_id'")) {
            r.next();
            expression = r.getString(1);
        }
        Matcher in = Pattern.compile("(?i)in\\s*\\(([^)]*)\\)").matcher(expression);
        org.junit.jupiter.api.Assertions.assertTrue(in.find(), "no IN list in " + expression);
        Set<String> schema = Arrays.stream(in.group(1).split(",")).map(t -> t.trim().replaceAll("[`'\"]", ""))
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> code = OrderStatus.ACTIVE.stream().map(Enum::name).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(code, schema, "orders.active_user_id (" + expression + ") vs OrderStatus.ACTIVE");
        assertEquals("'PENDING_PAYMENT', 'PAID'", OrderStatus.ACTIVE_SQL);
    }
}
