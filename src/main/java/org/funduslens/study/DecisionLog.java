package org.funduslens.study;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.funduslens.model.Diagnosis;
import org.funduslens.util.DataFolder;

/**
 * The append-only decision log in SQLite; the owner of its schema. Every append is its own transaction in WAL mode
 * with synchronous=FULL, so a decision that {@link #append} returned for is on disk and survives a crash; triggers
 * refuse UPDATE and DELETE, so nothing recorded can be changed afterwards.
 */
public final class DecisionLog implements AutoCloseable {
    public static final String FILE_NAME = "decisions.sqlite";
    static final int SCHEMA_VERSION = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final Connection db;

    private DecisionLog(Path file, Connection db) {
        this.file = file;
        this.db = db;
    }

    /** The log in the user's data folder. */
    public static DecisionLog openDefault() throws DecisionLogException {
        try {
            return open(DataFolder.ensure().resolve(FILE_NAME));
        } catch (java.io.IOException e) {
            throw new DecisionLogException(DataFolder.path() + ": cannot create the data folder (" + e.getMessage() + ").", e);
        }
    }

    public static DecisionLog open(Path file) throws DecisionLogException {
        try {
            Connection c = Sqlite.open(file);
            try (Statement s = c.createStatement()) {
                int version;
                try (ResultSet rs = s.executeQuery("PRAGMA user_version")) {
                    version = rs.next() ? rs.getInt(1) : 0;
                }
                if (version > SCHEMA_VERSION) {
                    c.close();
                    throw new DecisionLogException(file + ": was written by a newer FundusLens (schema " + version
                            + "); this version reads schema " + SCHEMA_VERSION + ".", null);
                }
                if (version == 0) {
                    createSchema(c);
                    version = 1;
                }
                if (version == 1) {
                    migrateTo2(c);
                    version = 2;
                }
                if (version == 2) {
                    migrateTo3(c);
                }
            }
            return new DecisionLog(file.toAbsolutePath(), c);
        } catch (SQLException | java.io.IOException e) {
            throw new DecisionLogException(file + ": cannot open the decision log (" + e.getMessage() + ").", e);
        }
    }

    private static void createSchema(Connection c) throws SQLException {
        inTransaction(c, s -> {
            s.execute("""
                CREATE TABLE decision (
                  id               INTEGER PRIMARY KEY AUTOINCREMENT,
                  recorded_at      TEXT    NOT NULL,
                  reader           TEXT    NOT NULL,
                  image_path       TEXT    NOT NULL,
                  image_sha256     TEXT,
                  bundle_id        TEXT    NOT NULL,
                  bundle_sha256    TEXT    NOT NULL,
                  demo             INTEGER NOT NULL CHECK (demo IN (0, 1)),
                  notice           TEXT,
                  provider         TEXT    NOT NULL,
                  ai_shown         INTEGER NOT NULL CHECK (ai_shown IN (0, 1)),
                  ai_top_json      TEXT    NOT NULL,
                  agrees_with_ai   INTEGER NOT NULL CHECK (agrees_with_ai IN (0, 1)),
                  decision_code    TEXT    NOT NULL,
                  decision_name    TEXT    NOT NULL,
                  confidence       INTEGER NOT NULL CHECK (confidence BETWEEN 1 AND 5),
                  note             TEXT    NOT NULL DEFAULT '',
                  CHECK (demo = 0 OR notice IS NOT NULL)
                )""");
            s.execute("CREATE TRIGGER decision_no_update BEFORE UPDATE ON decision "
                    + "BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END");
            s.execute("CREATE TRIGGER decision_no_delete BEFORE DELETE ON decision "
                    + "BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END");
            s.execute("PRAGMA user_version = 1");   // the version-1 table; open() migrates it on
        });
    }

    /** Version 2: the referral and the time on the case. Old rows keep NULL there; nothing recorded is changed. */
    private static void migrateTo2(Connection c) throws SQLException {
        inTransaction(c, s -> {
            s.execute("ALTER TABLE decision ADD COLUMN referral TEXT CHECK (referral IN ('urgent', 'routine', 'none'))");
            s.execute("ALTER TABLE decision ADD COLUMN time_on_case_ms INTEGER CHECK (time_on_case_ms >= 0)");
            s.execute("PRAGMA user_version = 2");
        });
    }

    /** Version 3: the ranked differential (second and third diagnoses, codes joined by ';'); NULL in older rows. */
    private static void migrateTo3(Connection c) throws SQLException {
        inTransaction(c, s -> {
            s.execute("ALTER TABLE decision ADD COLUMN differential TEXT");
            s.execute("PRAGMA user_version = 3");
        });
    }

    private interface SchemaWork {
        void run(Statement s) throws SQLException;
    }

    /** Schema changes all or nothing. */
    private static void inTransaction(Connection c, SchemaWork work) throws SQLException {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            work.run(s);
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    public Path file() {
        return file;
    }

    /** Appends one decision durably and returns its row id. */
    public synchronized long append(Decision d) throws DecisionLogException {
        String sql = """
            INSERT INTO decision (recorded_at, reader, image_path, image_sha256, bundle_id, bundle_sha256, demo, notice,
              provider, ai_shown, ai_top_json, agrees_with_ai, decision_code, decision_name, confidence, note, referral,
              time_on_case_ms, differential)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";
        try (PreparedStatement ps = db.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, d.recordedAt().toString());
            ps.setString(2, d.reader());
            ps.setString(3, d.imagePath());
            ps.setString(4, d.imageSha256());
            ps.setString(5, d.bundleId());
            ps.setString(6, d.bundleSha256());
            ps.setInt(7, d.demo() ? 1 : 0);
            ps.setString(8, d.notice());
            ps.setString(9, d.provider());
            ps.setInt(10, d.aiShown() ? 1 : 0);
            ps.setString(11, JSON.writeValueAsString(d.aiTop()));
            ps.setInt(12, d.agreesWithAi() ? 1 : 0);
            ps.setString(13, d.decisionCode());
            ps.setString(14, d.decisionName());
            ps.setInt(15, d.confidence());
            ps.setString(16, d.note());
            ps.setString(17, d.referral() == null ? null : d.referral().name().toLowerCase(java.util.Locale.ROOT));
            if (d.timeOnCaseMs() == null) {
                ps.setNull(18, java.sql.Types.INTEGER);
            } else {
                ps.setLong(18, d.timeOnCaseMs());
            }
            ps.setString(19, d.differential().isEmpty() ? null : String.join(";", d.differential()));
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        } catch (SQLException | JsonProcessingException e) {
            throw new DecisionLogException(file + ": the decision could not be saved (" + e.getMessage() + ").", e);
        }
    }

    /** A stored decision with its row id. */
    public record Entry(long id, Decision decision) {}

    /** Every decision, oldest first. */
    public synchronized List<Entry> readAll() throws DecisionLogException {
        List<Entry> out = new ArrayList<>();
        try (Statement s = db.createStatement();
             ResultSet rs = s.executeQuery("SELECT * FROM decision ORDER BY id")) {
            while (rs.next()) {
                List<Diagnosis> top = JSON.readValue(rs.getString("ai_top_json"), new TypeReference<List<Diagnosis>>() {});
                out.add(new Entry(rs.getLong("id"), new Decision(
                        Instant.parse(rs.getString("recorded_at")), rs.getString("reader"), rs.getString("image_path"),
                        rs.getString("image_sha256"), rs.getString("bundle_id"), rs.getString("bundle_sha256"),
                        rs.getInt("demo") == 1, rs.getString("notice"), rs.getString("provider"),
                        rs.getInt("ai_shown") == 1, top, rs.getInt("agrees_with_ai") == 1,
                        rs.getString("decision_code"), rs.getString("decision_name"), rs.getInt("confidence"),
                        rs.getString("note"), rs.getString("referral") == null ? null
                        : Decision.Referral.valueOf(rs.getString("referral").toUpperCase(java.util.Locale.ROOT)),
                        rs.getObject("time_on_case_ms") == null ? null : rs.getLong("time_on_case_ms"),
                        rs.getString("differential") == null ? List.of() : List.of(rs.getString("differential").split(";")))));
            }
        } catch (SQLException | JsonProcessingException e) {
            throw new DecisionLogException(file + ": cannot read the decision log (" + e.getMessage() + ").", e);
        }
        return out;
    }

    /** The image paths that have at least one decision. */
    public synchronized java.util.Set<String> decidedImages() throws DecisionLogException {
        java.util.Set<String> out = new java.util.HashSet<>();
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT DISTINCT image_path FROM decision")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        } catch (SQLException e) {
            throw new DecisionLogException(file + ": cannot read the decision log (" + e.getMessage() + ").", e);
        }
        return out;
    }

    /** Every decision as CSV (RFC 4180, UTF-8, header row), oldest first; returns how many rows were written. */
    public synchronized int exportCsv(Path out) throws DecisionLogException {
        return exportCsv(out, readAll());
    }

    /** The given decisions (e.g. those a history search shows) as CSV; returns how many rows were written. */
    public int exportCsv(Path out, List<Entry> all) throws DecisionLogException {
        StringBuilder b = new StringBuilder("id,recorded_at,reader,image_path,image_sha256,bundle_id,bundle_sha256,demo,notice,"
                + "provider,ai_shown,ai_top1,ai_top1_probability,ai_top3,agrees_with_ai,decision_code,decision_name,differential,confidence,"
                + "referral,time_on_case_ms,note\r\n");
        for (Entry e : all) {
            Decision d = e.decision();
            Diagnosis top1 = d.aiTop().isEmpty() ? null : d.aiTop().get(0);
            String top3 = String.join(";", d.aiTop().stream().map(Diagnosis::code).toList());
            Object[] cells = {e.id(), d.recordedAt(), d.reader(), d.imagePath(), d.imageSha256(), d.bundleId(), d.bundleSha256(),
                    d.demo(), d.notice(), d.provider(), d.aiShown(), top1 == null ? null : top1.code(),
                    top1 == null ? null : top1.probability(), top3, d.agreesWithAi(), d.decisionCode(), d.decisionName(),
                    String.join(";", d.differential()), d.confidence(), d.referral() == null ? null : d.referral().name().toLowerCase(java.util.Locale.ROOT),
                    d.timeOnCaseMs(), d.note()};
            b.append(Csv.row(cells));
        }
        try {
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, b.toString(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException ex) {
            throw new DecisionLogException(out + ": the export cannot be written (" + ex.getMessage() + ").", ex);
        }
        return all.size();
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException ignored) {
            // closing a connection we own: nothing left to save
        }
    }
}
