package io.flashsale.common;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import javax.sql.DataSource;

/** Small JDBC helpers shared by the hand-written SQL of the hot path and the jobs. */
public final class Jdbc {

    private Jdbc() {
    }

    /** DATETIME(6) columns hold UTC wall-clock time. */
    public static LocalDateTime utc(Instant instant) {
        return LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    public static Instant instant(LocalDateTime utc) {
        return utc.toInstant(ZoneOffset.UTC);
    }

    /** "?,?,?" for an IN list of {@code count} parameters. */
    public static String placeholders(int count) {
        return String.join(",", java.util.Collections.nCopies(count, "?"));
    }

    /**
     * A transaction for claiming rows with {@code FOR UPDATE SKIP LOCKED}. READ COMMITTED makes
     * the claim lock only the rows it returns; under REPEATABLE READ InnoDB would also lock the
     * gap after the last row and block every insert of new rows for as long as the claim lives.
     */
    public static Connection claimTransaction(DataSource dataSource) throws SQLException {
        Connection connection = dataSource.getConnection();
        connection.setAutoCommit(false);
        connection.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
        return connection;
    }

    /**
     * InnoDB chose this transaction as a deadlock victim and rolled it back (MariaDB error 1213,
     * SQLSTATE 40001): the whole transaction may simply be run again.
     */
    public static boolean isDeadlock(SQLException e) {
        return e instanceof java.sql.SQLTransactionRollbackException || "40001".equals(e.getSQLState())
                || e.getErrorCode() == 1213;
    }

    /**
     * Runs a {@code DELETE ... WHERE x < ? LIMIT chunk} until it deletes less than a chunk: each
     * statement holds its locks briefly instead of one long delete blocking writers. Returns the total.
     */
    public static int deleteInChunks(DataSource dataSource, String sql, Object bound, int chunk) throws SQLException {
        int total = 0;
        try (Connection c = dataSource.getConnection(); java.sql.PreparedStatement s = c.prepareStatement(sql)) {
            int deleted;
            do {
                s.setObject(1, bound);
                deleted = s.executeUpdate();
                total += deleted;
            } while (deleted == chunk);
        }
        return total;
    }
}
