package org.funduslens.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.funduslens.util.Hashing;

/**
 * A model bundle folder: {@code bundle.json}, {@code model.onnx} and reference tensors. {@link #load} checks the
 * manifest and the SHA-256 of every file it lists before anything is handed to ONNX Runtime.
 */
public final class ModelBundle {
    public static final String MANIFEST = "bundle.json";
    public static final String MODEL_FILE = "model.onnx";
    private static final Set<String> RESIZE_MODES = Set.of("shorter-side", "square");
    private static final Set<String> INTERPOLATIONS = Set.of("bicubic", "bilinear");
    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, false);

    private final Path dir;
    private final BundleManifest manifest;
    private final String sha256;

    private ModelBundle(Path dir, BundleManifest manifest, String sha256) {
        this.dir = dir;
        this.manifest = manifest;
        this.sha256 = sha256;
    }

    /** Loads and checks a bundle; files unchanged since they were last hashed are not read again (see FileDigests). */
    public static ModelBundle load(Path dir) throws BundleException {
        return load(dir, false);
    }

    /** As {@link #load(Path)}, hashing every file afresh when {@code fresh} (verify-bundle does). */
    public static ModelBundle load(Path dir, boolean fresh) throws BundleException {
        Path abs = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(abs)) {
            throw new BundleException(abs + ": is not a model bundle folder (it does not exist or is not a folder).");
        }
        Path manifestFile = abs.resolve(MANIFEST);
        if (!Files.isRegularFile(manifestFile)) {
            throw new BundleException(manifestFile + ": missing; a model bundle folder needs a bundle.json.");
        }
        byte[] manifestBytes;
        BundleManifest m;
        try {
            manifestBytes = Files.readAllBytes(manifestFile);
            m = parseManifest(manifestBytes);
        } catch (JsonProcessingException e) {
            throw new BundleException(manifestFile + ": is not a valid bundle manifest ("
                    + e.getOriginalMessage().lines().findFirst().orElse("") + ").", e);
        } catch (IOException e) {
            throw new BundleException(manifestFile + ": cannot be read (" + e.getMessage() + ").", e);
        }
        validate(manifestFile, m);
        for (Map.Entry<String, BundleManifest.FileEntry> e : m.files().entrySet()) {
            verifyFile(abs, e.getKey(), e.getValue(), fresh);
        }
        return new ModelBundle(abs, m, Hashing.sha256(manifestBytes));
    }

    private static void validate(Path f, BundleManifest m) throws BundleException {
        if (!BundleManifest.SCHEMA.equals(m.schema())) {
            throw new BundleException(f + ": has schema '" + m.schema() + "'; this FundusLens reads '"
                    + BundleManifest.SCHEMA + "'.");
        }
        require(f, m.id() != null && !m.id().isBlank(), "has no id");
        require(f, m.labels() != null && !m.labels().isEmpty(), "lists no labels");
        require(f, m.labels().stream().allMatch(l -> l.code() != null && l.name() != null), "has a label without code or name");
        require(f, m.backbone() != null && m.backbone().family() != null, "does not name the backbone");
        require(f, m.outputs() != null && m.outputs().logits() != null, "does not name the logits output");
        require(f, m.files() != null && m.files().containsKey(MODEL_FILE), "does not list model.onnx with its SHA-256");
        BundleManifest.InputRecipe in = m.input();
        require(f, in != null && in.size() > 0 && in.resize() != null && in.crop() != null, "has no complete input recipe");
        require(f, RESIZE_MODES.contains(in.resize().mode()), "has an unknown resize mode '" + in.resize().mode() + "'");
        require(f, INTERPOLATIONS.contains(in.resize().interpolation()),
                "has an unknown interpolation '" + in.resize().interpolation() + "'");
        boolean crop = "center".equals(in.crop().mode());
        require(f, crop || "none".equals(in.crop().mode()), "has an unknown crop mode '" + in.crop().mode() + "'");
        require(f, !crop || (in.crop().size() == in.size() && in.resize().size() >= in.size()),
                "has a crop that does not match the input size");
        require(f, crop || in.resize().size() == in.size(), "resizes to a size other than the input size");
        require(f, in.mean() != null && in.mean().size() == 3 && in.std() != null && in.std().size() == 3
                && in.std().stream().allMatch(s -> s > 0) && in.scale() > 0, "has no valid normalisation");
    }

    private static void require(Path f, boolean ok, String problem) throws BundleException {
        if (!ok) {
            throw new BundleException(f + ": " + problem + ".");
        }
    }

    private static void verifyFile(Path dir, String rel, BundleManifest.FileEntry entry, boolean fresh) throws BundleException {
        Path file = dir.resolve(rel).normalize();
        if (!file.startsWith(dir) || entry == null || entry.sha256() == null) {
            throw new BundleException(dir.resolve(MANIFEST) + ": lists '" + rel + "' without a valid path and SHA-256.");
        }
        if (!Files.isRegularFile(file)) {
            throw new BundleException(file + ": missing from the bundle (bundle.json lists it).");
        }
        String actual;
        try {
            actual = org.funduslens.util.FileDigests.sha256(file, fresh);
        } catch (IOException e) {
            throw new BundleException(file + ": cannot be read (" + e.getMessage() + ").", e);
        }
        if (!actual.equalsIgnoreCase(entry.sha256())) {
            throw new BundleException(file + ": SHA-256 is " + actual + " but bundle.json expects " + entry.sha256()
                    + "; the file was changed or damaged, so the bundle is refused.");
        }
    }

    /** Parses manifest bytes (snake_case JSON) without checking anything: the one reader of bundle.json. */
    static BundleManifest parseManifest(byte[] bytes) throws java.io.IOException {
        return JSON.readValue(bytes, BundleManifest.class);
    }

    public Path dir() { return dir; }

    public BundleManifest manifest() { return manifest; }

    public Path modelFile() { return dir.resolve(MODEL_FILE); }

    public String id() { return manifest.id(); }

    public String displayName() { return manifest.name() == null ? manifest.id() : manifest.name(); }

    public boolean demo() { return manifest.demo(); }

    /** The warning every surface shows for a demo bundle; null for a real one. */
    public String demoNotice() {
        if (!manifest.demo()) {
            return null;
        }
        return manifest.demoNotice() == null ? DemoNotice.TEXT : manifest.demoNotice();
    }

    /** SHA-256 of bundle.json, which lists the SHA-256 of every other file: one fingerprint for the whole bundle. */
    public String sha256() { return sha256; }

    public List<BundleManifest.Label> labels() { return manifest.labels(); }

    public BundleManifest.InputRecipe input() { return manifest.input(); }

    @Override
    public String toString() {
        return displayName() + " [" + id() + "]";
    }
}
