package org.funduslens.model;

import ai.onnxruntime.OrtEnvironment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import org.funduslens.util.DataFolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ONNX Runtime's optimised graph for one bundle on one provider, kept in the user's data folder in ONNX Runtime's
 * own format ({@code cache/ort/<bundle sha256>-<provider>-ort<version>.ort}), so that the next load skips graph
 * optimisation and protobuf parsing and uses the file's bytes for the weights directly.
 * A sidecar holds the cached file's SHA-256; a file that does not match it is discarded, never loaded.
 */
final class OptimizedModelCache {
    private static final Logger LOG = LoggerFactory.getLogger(OptimizedModelCache.class);
    public static final String DISABLE_PROPERTY = "funduslens.ortcache";

    private final Path file;
    private final Path sidecar;
    private final Path pending;

    private OptimizedModelCache(Path file, Path pending) {
        this.file = file;
        this.sidecar = file == null ? null : file.resolveSibling(file.getFileName() + ".sha256");
        this.pending = pending;
    }

    static OptimizedModelCache forBundle(ModelBundle bundle, ExecutionProvider p) {
        if ("off".equals(System.getProperty(DISABLE_PROPERTY))) {
            return new OptimizedModelCache(null, null);
        }
        String ort;
        try {
            ort = OrtEnvironment.getEnvironment().getVersion();
        } catch (RuntimeException e) {
            ort = "unknown";
        }
        Path dir = DataFolder.path().resolve("cache").resolve("ort");
        String base = bundle.sha256().substring(0, 32) + "-" + p.name().toLowerCase(Locale.ROOT) + "-ort" + ort;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            return new OptimizedModelCache(null, null);
        }
        return new OptimizedModelCache(dir.resolve(base + ".ort"), dir.resolve(base + ".writing.ort"));
    }

    /** The cached file when present and intact, else null. */
    Path usable() {
        if (file == null || !Files.isRegularFile(file) || !Files.isRegularFile(sidecar)) {
            return null;
        }
        try {
            String expected = Files.readString(sidecar, StandardCharsets.US_ASCII).strip();
            if (expected.equals(org.funduslens.util.FileDigests.sha256(file, false))) {
                return file;
            }
            LOG.warn("{}: does not match its checksum; discarded", file);
        } catch (IOException e) {
            LOG.warn("{}: cannot be read ({}); discarded", file, e.getMessage());
        }
        discard();
        return null;
    }

    /** Where ONNX Runtime should write the optimised graph during this load, or null when caching is off. */
    Path pending() {
        return pending;
    }

    /** Moves a freshly written optimised graph into place with its checksum. */
    void seal() {
        if (pending == null || !Files.isRegularFile(pending)) {
            return;
        }
        try {
            Files.move(pending, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            String sha = org.funduslens.util.FileDigests.sha256(file, true);
            Files.writeString(sidecar, sha + "\n", StandardCharsets.US_ASCII);
        } catch (IOException e) {
            LOG.warn("cannot keep the optimised network in {}: {}", file, e.getMessage());
            discard();
        }
    }

    void discard() {
        for (Path p : new Path[] {file, sidecar, pending}) {
            if (p != null) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // a stale cache file is only ever loaded after its checksum matches
                }
            }
        }
    }
}
