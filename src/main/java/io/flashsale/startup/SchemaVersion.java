package io.flashsale.startup;

import io.flashsale.common.Role;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Start-up step "schema": the database schema is at least the version this build needs.
 * <p>
 * Only the worker role (and {@code all}) runs Flyway; an api instance starts in a second or so
 * and must not spend it validating and migrating, nor race other pods to migrate. It reads the
 * highest successfully applied version from Flyway's history table instead, one query, and stays
 * not ready, saying why, while the schema is behind (the worker or the k8s migrate Job has not
 * run yet). A schema ahead of {@link #REQUIRED} is fine: migrations add, an older api still
 * works on them during a rolling upgrade.
 */
@ApplicationScoped
public class SchemaVersion implements StartupStep {

    /**
     * The highest migration in {@code src/main/resources/db/migration}; raise it with every new
     * migration ({@code SchemaVersionTests} fails the build when the two disagree).
     */
    public static final int REQUIRED = 8;

    private final DataSource dataSource;
    private final String historyTable;

    public SchemaVersion(DataSource dataSource,
            @ConfigProperty(name = "quarkus.flyway.table", defaultValue = "flyway_schema_history") String historyTable) {
        this.dataSource = dataSource;
        this.historyTable = historyTable;
    }

    @Override
    public String name() {
        return "schema";
    }

    @Override
    public boolean neededBy(Role role) {
        return true; // on worker/all Flyway ran before this, so it passes at once
    }

    @Override
    public void run() throws SQLException {
        int applied = applied();
        if (applied < REQUIRED) {
            throw new IllegalStateException(behind(applied));
        }
    }

    /** The highest applied migration version (its major part), 0 when the schema was never migrated. */
    int applied() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            if (!historyTableExists(c)) {
                return 0;
            }
            int highest = 0;
            try (ResultSet rs = s.executeQuery("SELECT version FROM " + historyTable
                    + " WHERE success = 1 AND version IS NOT NULL")) {
                while (rs.next()) {
                    highest = Math.max(highest, major(rs.getString(1)));
                }
            }
            return highest;
        }
    }

    private boolean historyTableExists(Connection c) throws SQLException {
        try (ResultSet rs = c.getMetaData().getTables(c.getCatalog(), null, historyTable, new String[] { "TABLE" })) {
            return rs.next();
        }
    }

    static int major(String version) {
        int dot = version.indexOf('.');
        try {
            return Integer.parseInt(dot < 0 ? version : version.substring(0, dot));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static String behind(int applied) {
        return "database schema is at version " + applied + ", this build needs " + REQUIRED
                + ": api instances do not migrate; run the worker role (or the flashsale-migrate Job) first";
    }
}
