package org.funduslens.study;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.funduslens.util.Hashing;

/**
 * The reads of a reader study: append-only (triggers refuse UPDATE and DELETE; a correction is a new row naming the
 * one it corrects) and hash-chained (each row stores SHA-256 of the previous row's hash and its own content), so
 * {@link #verify} finds any edited, deleted or reordered row. WAL and synchronous=FULL: a read that {@link #append}
 * returned for survives a crash.
 */
public final class ReadLog implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GENESIS = "0".repeat(64);

    /** One read. {@code answers} are the ranked diagnosis codes; {@code aiTop} what the AI showed (empty unaided). */
    public record Read(String studyId, String protocolSha256, String reader, String caseId, String arm, int session,
                       int orderIndex, List<String> answers, int confidence, long timeOnCaseMs, String aiBundleId,
                       String aiBundleSha256, List<String> aiTop, boolean heatmapOpened, Boolean changedAfterAi,
                       Long corrects, String recordedAt, String appVersion) {}

    public record Entry(long id, Read read, String hash) {}

    /** A pseudonymous reader enrolled in a study, with the optional profile used for subgroup analysis. */
    public record Reader(String studyId, String reader, Integer yearsOfExperience, String specialty, String country,
                         String enrolledAt) {}

    /** What verification found: empty problems means the chain is intact. */
    public record Verification(int rows, List<String> problems) {
        public boolean intact() {
            return problems.isEmpty();
        }
    }

    private final Path file;
    private final Connection db;

    private ReadLog(Path file, Connection db) {
        this.file = file;
        this.db = db;
    }

    public static ReadLog open(Path file) throws DecisionLogException {
        try {
            Connection c = Sqlite.open(file);
            try (Statement s = c.createStatement()) {
                s.execute("""
                    CREATE TABLE IF NOT EXISTS read (
                      id INTEGER PRIMARY KEY AUTOINCREMENT,
                      content TEXT NOT NULL,
                      study_id TEXT NOT NULL, reader TEXT NOT NULL, case_id TEXT NOT NULL, arm TEXT NOT NULL,
                      prev_hash TEXT NOT NULL, hash TEXT NOT NULL UNIQUE)""");
                s.execute("""
                    CREATE TABLE IF NOT EXISTS reader (
                      study_id TEXT NOT NULL, reader TEXT NOT NULL, content TEXT NOT NULL,
                      PRIMARY KEY (study_id, reader))""");
                s.execute("CREATE TRIGGER IF NOT EXISTS read_no_update BEFORE UPDATE ON read "
                        + "BEGIN SELECT RAISE(ABORT, 'the read log is append-only'); END");
                s.execute("CREATE TRIGGER IF NOT EXISTS read_no_delete BEFORE DELETE ON read "
                        + "BEGIN SELECT RAISE(ABORT, 'the read log is append-only'); END");
            }
            return new ReadLog(file.toAbsolutePath(), c);
        } catch (SQLException | java.io.IOException e) {
            throw new DecisionLogException(file + ": cannot open the read log (" + e.getMessage() + ").", e);
        }
    }

    static String hash(String prev, String content) {
        return Hashing.sha256((prev + "\n" + content).getBytes(StandardCharsets.UTF_8));
    }

    /** Appends one read, chained to the last row, in one transaction. */
    public synchronized long append(Read r) throws DecisionLogException {
        try {
            String content = JSON.writeValueAsString(r);
            db.setAutoCommit(false);
            try {
                String prev = GENESIS;
                try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT hash FROM read ORDER BY id DESC LIMIT 1")) {
                    if (rs.next()) {
                        prev = rs.getString(1);
                    }
                }
                long id;
                try (PreparedStatement ps = db.prepareStatement("INSERT INTO read (content, study_id, reader, case_id, arm, prev_hash, hash)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
                    ps.setString(1, content);
                    ps.setString(2, r.studyId());
                    ps.setString(3, r.reader());
                    ps.setString(4, r.caseId());
                    ps.setString(5, r.arm());
                    ps.setString(6, prev);
                    ps.setString(7, hash(prev, content));
                    ps.executeUpdate();
                    try (ResultSet keys = ps.getGeneratedKeys()) {
                        keys.next();
                        id = keys.getLong(1);
                    }
                }
                db.commit();
                return id;
            } catch (SQLException e) {
                db.rollback();
                throw e;
            } finally {
                db.setAutoCommit(true);
            }
        } catch (SQLException | JsonProcessingException e) {
            throw new DecisionLogException(file + ": the read could not be saved (" + e.getMessage() + ").", e);
        }
    }

    /** Enrols a reader; enrolling the same id twice in a study is refused. */
    public synchronized void enrol(Reader r) throws DecisionLogException {
        if (r.reader() == null || !r.reader().matches("[A-Za-z0-9._-]{1,80}")) {
            throw new DecisionLogException("Reader id '" + r.reader() + "' must be 1 to 80 letters, digits, dots, dashes or underscores.", null);
        }
        try (PreparedStatement ps = db.prepareStatement("INSERT INTO reader (study_id, reader, content) VALUES (?, ?, ?)")) {
            ps.setString(1, r.studyId());
            ps.setString(2, r.reader());
            ps.setString(3, JSON.writeValueAsString(r));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new DecisionLogException(e.getMessage().contains("UNIQUE") || e.getMessage().contains("PRIMARY")
                    ? "Reader '" + r.reader() + "' is already enrolled in " + r.studyId() + "."
                    : file + ": the reader could not be enrolled (" + e.getMessage() + ").", e);
        } catch (JsonProcessingException e) {
            throw new DecisionLogException(file + ": the reader could not be enrolled (" + e.getMessage() + ").", e);
        }
    }

    /** The study's enrolled readers, in enrolment order. */
    public synchronized List<Reader> readers(String studyId) throws DecisionLogException {
        List<Reader> out = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT content FROM reader WHERE study_id = ? ORDER BY rowid")) {
            ps.setString(1, studyId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(JSON.readValue(rs.getString(1), Reader.class));
                }
            }
        } catch (SQLException | JsonProcessingException e) {
            throw new DecisionLogException(file + ": cannot read the enrolled readers (" + e.getMessage() + ").", e);
        }
        return out;
    }

    /** The latest read of one case in one arm by one reader, or null. */
    public synchronized Read latest(String studyId, String reader, String caseId, String arm) throws DecisionLogException {
        try (PreparedStatement ps = db.prepareStatement("SELECT content FROM read WHERE study_id = ? AND reader = ? AND case_id = ?"
                + " AND arm = ? ORDER BY id DESC LIMIT 1")) {
            ps.setString(1, studyId);
            ps.setString(2, reader);
            ps.setString(3, caseId);
            ps.setString(4, arm);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? JSON.readValue(rs.getString(1), Read.class) : null;
            }
        } catch (SQLException | JsonProcessingException e) {
            throw new DecisionLogException(file + ": cannot read the read log (" + e.getMessage() + ").", e);
        }
    }

    /** The study's reads in log order, a correction replacing the read it corrects. */
    public synchronized List<Read> currentReads(String studyId) throws DecisionLogException {
        return latest(readAll(), studyId);
    }

    private static List<Read> latest(List<Entry> all, String studyId) {
        java.util.Map<String, Read> latest = new java.util.LinkedHashMap<>();
        for (Entry e : all) {
            if (e.read().studyId().equals(studyId)) {
                latest.put(e.read().reader() + "\u0000" + e.read().arm() + "\u0000" + e.read().caseId(), e.read());
            }
        }
        return List.copyOf(latest.values());
    }

    public synchronized List<Entry> readAll() throws DecisionLogException {
        List<Entry> out = new ArrayList<>();
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT id, content, hash FROM read ORDER BY id")) {
            while (rs.next()) {
                out.add(new Entry(rs.getLong(1), JSON.readValue(rs.getString(2), Read.class), rs.getString(3)));
            }
        } catch (SQLException | JsonProcessingException e) {
            throw new DecisionLogException(file + ": cannot read the read log (" + e.getMessage() + ").", e);
        }
        return out;
    }

    /**
     * The long CSV (one row per read) and, where the protocol gives reference diagnoses, the MRMC layout for
     * {@code study analyze --metric accuracy}: reader, treatment (arm), case, truth 1, rating 1 when the reference is
     * among the first {@code topK} answers. Only cases with a reference, and only the latest read of a case (a
     * correction replaces what it corrects).
     */
    public synchronized void export(StudyProtocol protocol, Path longCsv, Path mrmcCsv, int topK) throws DecisionLogException {
        List<Entry> all = readAll();
        java.util.Map<String, String> reference = new java.util.HashMap<>();
        protocol.cases().forEach(c -> reference.put(c.id(), c.reference()));
        StringBuilder l = new StringBuilder("id,study,reader,case,arm,session,order,answers,confidence,time_on_case_ms,"
                + "ai_bundle,ai_top,heatmap_opened,changed_after_ai,corrects,recorded_at,reference,top1_correct\r\n");
        StringBuilder m = new StringBuilder("reader,treatment,case,truth,rating\r\n");
        for (Entry e : all) {
            Read r = e.read();
            if (!r.studyId().equals(protocol.id())) {
                continue;
            }
            String ref = reference.get(r.caseId());
            l.append(Csv.row(e.id(), r.studyId(), r.reader(), r.caseId(), r.arm(), r.session(), r.orderIndex(),
                    String.join(";", r.answers()), r.confidence(), r.timeOnCaseMs(), r.aiBundleId(), String.join(";", r.aiTop()),
                    r.heatmapOpened(), r.changedAfterAi(), r.corrects(), r.recordedAt(), ref,
                    ref == null ? null : (!r.answers().isEmpty() && r.answers().get(0).equals(ref) ? 1 : 0)));
        }
        for (Read r : latest(all, protocol.id())) {
            String ref = reference.get(r.caseId());
            if (ref == null) {
                continue;
            }
            boolean correct = r.answers().subList(0, Math.min(topK, r.answers().size())).contains(ref);
            m.append(Csv.row(r.reader(), r.arm(), r.caseId(), 1, correct ? 1 : 0));
        }
        try {
            if (longCsv != null) {
                Files.writeString(longCsv, l, StandardCharsets.UTF_8);
            }
            if (mrmcCsv != null) {
                Files.writeString(mrmcCsv, m, StandardCharsets.UTF_8);
            }
        } catch (java.io.IOException ex) {
            throw new DecisionLogException(file + ": the export cannot be written (" + ex.getMessage() + ").", ex);
        }
    }

    /** The cases this reader has already read in this arm (to resume at the next unread one). */
    public synchronized java.util.Set<String> readCases(String studyId, String reader, String arm) throws DecisionLogException {
        java.util.Set<String> out = new java.util.HashSet<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT case_id FROM read WHERE study_id = ? AND reader = ? AND arm = ?")) {
            ps.setString(1, studyId);
            ps.setString(2, reader);
            ps.setString(3, arm);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new DecisionLogException(file + ": cannot read the read log (" + e.getMessage() + ").", e);
        }
        return out;
    }

    /** One stored row as the chain sees it: what a site ships so that the coordinator can check the chain again. */
    public record RawRow(long id, String content, String prevHash, String hash) {}

    /** Recomputes the chain from the first row: an edited, deleted or reordered row breaks it at that row. */
    public static Verification verify(Path file) throws DecisionLogException {
        if (!Files.isRegularFile(file)) {
            throw new DecisionLogException(file + ": does not exist.", null);
        }
        try (Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath())) {
            return verifyChain(rawRows(c));
        } catch (SQLException e) {
            throw new DecisionLogException(file + ": is not a FundusLens read log (" + e.getMessage() + ").", e);
        }
    }

    /** The chain check over rows in id order: the ids run on without gaps, each row follows the last and hashes right. */
    public static Verification verifyChain(List<RawRow> rows) {
        List<String> problems = new ArrayList<>();
        String prev = GENESIS;
        long lastId = 0;
        for (RawRow r : rows) {
            if (r.id() != lastId + 1) {
                problems.add("row " + r.id() + " follows row " + lastId + ": rows " + (lastId + 1) + " to " + (r.id() - 1)
                        + " were deleted.");
            }
            if (!r.prevHash().equals(prev)) {
                problems.add("row " + r.id() + " does not follow the row before it (deleted or reordered rows).");
            }
            if (!hash(r.prevHash(), r.content()).equals(r.hash())) {
                problems.add("row " + r.id() + " was changed after it was written.");
            }
            prev = r.hash();
            lastId = r.id();
        }
        return new Verification(rows.size(), problems);
    }

    public synchronized List<RawRow> rawRows() throws DecisionLogException {
        try {
            return rawRows(db);
        } catch (SQLException e) {
            throw new DecisionLogException(file + ": cannot read the read log (" + e.getMessage() + ").", e);
        }
    }

    private static List<RawRow> rawRows(Connection c) throws SQLException {
        List<RawRow> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id, content, prev_hash, hash FROM read ORDER BY id")) {
            while (rs.next()) {
                out.add(new RawRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)));
            }
        }
        return out;
    }

    /** A stored row's read. */
    public static Read parse(RawRow row) throws DecisionLogException {
        try {
            return JSON.readValue(row.content(), Read.class);
        } catch (JsonProcessingException e) {
            throw new DecisionLogException("row " + row.id() + " is not a read (" + e.getOriginalMessage() + ").", e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException ignored) {
            // our own connection; nothing left to save
        }
    }
}
