package org.funduslens.study;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleConsumer;
import java.util.stream.Stream;
import org.funduslens.image.ImageLoadException;
import org.funduslens.image.ImageLoader;
import org.funduslens.model.Analyzer;
import org.funduslens.model.InferenceException;
import org.funduslens.util.DataFolder;
import org.funduslens.util.Hashing;

/**
 * Labelled reference images and their embeddings, per bundle (keyed by the bundle's SHA-256), in SQLite; the owner
 * of that file's schema. Sources: a folder with one sub-folder per label, or a CSV with columns {@code path,label}
 * (paths relative to the CSV). Similarity is the cosine of L2-normalised embeddings.
 */
public final class SimilarCaseIndex implements AutoCloseable {
    public static final String FILE_NAME = "similar-cases.sqlite";

    private final Path file;
    private final Connection db;

    /** One reference image close to the query. */
    public record Match(Path path, String label, double similarity) {}

    /** What an indexing run did; {@code problems} has one sentence per file that could not be used. */
    public record Report(int added, int unchanged, List<String> problems) {}

    private SimilarCaseIndex(Path file, Connection db) {
        this.file = file;
        this.db = db;
    }

    public static SimilarCaseIndex openDefault() throws SimilarCaseException {
        try {
            return open(DataFolder.ensure().resolve(FILE_NAME));
        } catch (IOException e) {
            throw new SimilarCaseException(DataFolder.path() + ": cannot create the data folder (" + e.getMessage() + ").", e);
        }
    }

    public static SimilarCaseIndex open(Path file) throws SimilarCaseException {
        try {
            Connection c = Sqlite.open(file);
            try (Statement s = c.createStatement()) {
                s.execute("""
                    CREATE TABLE IF NOT EXISTS reference_image (
                      bundle_sha256 TEXT    NOT NULL,
                      path          TEXT    NOT NULL,
                      file_sha256   TEXT    NOT NULL,
                      label         TEXT    NOT NULL,
                      dim           INTEGER NOT NULL,
                      embedding     BLOB    NOT NULL,
                      indexed_at    TEXT    NOT NULL,
                      PRIMARY KEY (bundle_sha256, path)
                    )""");
            }
            return new SimilarCaseIndex(file.toAbsolutePath(), c);
        } catch (SQLException | IOException e) {
            throw new SimilarCaseException(file + ": cannot open the similar-case index (" + e.getMessage() + ").", e);
        }
    }

    public Path file() {
        return file;
    }

    /** (image, label) pairs of a source folder or CSV. */
    static List<String[]> entries(Path source) throws IOException {
        List<String[]> out = new ArrayList<>();
        if (Files.isRegularFile(source) && source.toString().toLowerCase(Locale.ROOT).endsWith(".csv")) {
            List<String> lines = Files.readAllLines(source, StandardCharsets.UTF_8);
            if (lines.isEmpty() || !lines.get(0).replace(" ", "").toLowerCase(Locale.ROOT).startsWith("path,label")) {
                throw new IOException(source + ": a reference CSV needs the header path,label");
            }
            for (String line : lines.subList(1, lines.size())) {
                if (line.isBlank()) {
                    continue;
                }
                int comma = line.lastIndexOf(',');
                if (comma <= 0) {
                    throw new IOException(source + ": the line '" + line + "' is not path,label");
                }
                Path p = source.toAbsolutePath().getParent().resolve(line.substring(0, comma).strip()).normalize();
                out.add(new String[] {p.toString(), line.substring(comma + 1).strip()});
            }
            return out;
        }
        if (!Files.isDirectory(source)) {
            throw new IOException(source + ": is neither a folder of label folders nor a .csv file");
        }
        try (Stream<Path> labels = Files.list(source)) {
            for (Path labelDir : labels.filter(Files::isDirectory).sorted().toList()) {
                try (Stream<Path> files = Files.walk(labelDir)) {
                    for (Path f : files.filter(Files::isRegularFile).filter(ImageLoader::isPhotographName).sorted().toList()) {
                        out.add(new String[] {f.toAbsolutePath().normalize().toString(), labelDir.getFileName().toString()});
                    }
                }
            }
        }
        return out;
    }

    /** Embeds every image of {@code source} not yet indexed for this bundle (or changed since); unreadable files are reported. */
    public Report index(Analyzer analyzer, Path source, DoubleConsumer progress, BooleanSupplier cancelled)
            throws IOException, SimilarCaseException {
        String bundle = analyzer.bundle().sha256();
        List<String[]> todo = entries(source);
        int added = 0;
        int unchanged = 0;
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < todo.size(); i++) {
            if (cancelled.getAsBoolean()) {
                problems.add("indexing was cancelled after " + i + " of " + todo.size() + " images");
                break;
            }
            Path p = Path.of(todo.get(i)[0]);
            String label = todo.get(i)[1];
            try {
                String sha = Hashing.sha256(p);
                if (sha.equals(storedSha(bundle, p))) {
                    unchanged++;
                } else {
                    float[] e = normalise(analyzer.embed(ImageLoader.load(p)));
                    put(bundle, p, sha, label, e);
                    added++;
                }
            } catch (ImageLoadException e) {
                problems.add(e.getMessage());
            } catch (IOException e) {
                problems.add(p.getFileName() + ": cannot be read (" + e.getMessage() + ").");
            } catch (InferenceException e) {
                problems.add(p.getFileName() + ": " + e.getMessage());
            }
            progress.accept((i + 1) / (double) todo.size());
        }
        return new Report(added, unchanged, problems);
    }

    private String storedSha(String bundle, Path p) throws SimilarCaseException {
        try (PreparedStatement ps = db.prepareStatement(
                "SELECT file_sha256 FROM reference_image WHERE bundle_sha256 = ? AND path = ?")) {
            ps.setString(1, bundle);
            ps.setString(2, p.toString());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new SimilarCaseException(file + ": cannot read the index (" + e.getMessage() + ").", e);
        }
    }

    private synchronized void put(String bundle, Path p, String sha, String label, float[] e) throws SimilarCaseException {
        ByteBuffer b = ByteBuffer.allocate(e.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(e);
        try (PreparedStatement ps = db.prepareStatement("INSERT OR REPLACE INTO reference_image "
                + "(bundle_sha256, path, file_sha256, label, dim, embedding, indexed_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, bundle);
            ps.setString(2, p.toString());
            ps.setString(3, sha);
            ps.setString(4, label);
            ps.setInt(5, e.length);
            ps.setBytes(6, b.array());
            ps.setString(7, Instant.now().toString());
            ps.executeUpdate();
        } catch (SQLException ex) {
            throw new SimilarCaseException(file + ": cannot store " + p.getFileName() + " (" + ex.getMessage() + ").", ex);
        }
    }

    /** How many reference images this bundle has. */
    public int size(String bundleSha) throws SimilarCaseException {
        try (PreparedStatement ps = db.prepareStatement("SELECT count(*) FROM reference_image WHERE bundle_sha256 = ?")) {
            ps.setString(1, bundleSha);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        } catch (SQLException e) {
            throw new SimilarCaseException(file + ": cannot read the index (" + e.getMessage() + ").", e);
        }
    }

    /** The {@code k} reference images most similar to {@code embedding}, most similar first. */
    public List<Match> nearest(String bundleSha, float[] embedding, int k) throws SimilarCaseException {
        float[] q = normalise(embedding);
        PriorityQueue<Match> best = new PriorityQueue<>(Comparator.comparingDouble(Match::similarity));
        try (PreparedStatement ps = db.prepareStatement(
                "SELECT path, label, dim, embedding FROM reference_image WHERE bundle_sha256 = ?")) {
            ps.setString(1, bundleSha);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rs.getInt(3) != q.length) {
                        continue;
                    }
                    var fb = ByteBuffer.wrap(rs.getBytes(4)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
                    double dot = 0;
                    for (int i = 0; i < q.length; i++) {
                        dot += q[i] * fb.get(i);
                    }
                    best.add(new Match(Path.of(rs.getString(1)), rs.getString(2), dot));
                    if (best.size() > k) {
                        best.poll();
                    }
                }
            }
        } catch (SQLException e) {
            throw new SimilarCaseException(file + ": cannot read the index (" + e.getMessage() + ").", e);
        }
        List<Match> out = new ArrayList<>(best);
        out.sort(Comparator.comparingDouble(Match::similarity).reversed());
        return out;
    }

    static float[] normalise(float[] v) {
        double n = 0;
        for (float x : v) {
            n += x * x;
        }
        n = Math.sqrt(n);
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = n > 0 ? (float) (v[i] / n) : 0f;
        }
        return out;
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException ignored) {
            // closing our own connection: nothing left to save
        }
    }
}
