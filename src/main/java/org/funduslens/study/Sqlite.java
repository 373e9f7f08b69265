package org.funduslens.study;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** Opens the project's SQLite files the one way: parent folder created, WAL journal, a busy timeout, durable commits. */
final class Sqlite {
    private Sqlite() {}

    static Connection open(Path file) throws IOException, SQLException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA synchronous=FULL");
            s.execute("PRAGMA busy_timeout=5000");
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }
}
