package org.funduslens.study;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.funduslens.util.Hashing;

/**
 * A reader study's protocol, from JSON (docs/reader-study.md): the cases with their reference diagnoses, the labels
 * readers choose from, the AI bundle, the design and the seed that fixes each reader's case order. Validation names
 * the file and the field.
 */
public record StudyProtocol(String id, String title, List<Case> cases, List<String> labels, String bundle, Design design,
                            long seed, int rankedAnswers, int confidenceLevels, int washoutDays, String normalLabel,
                            int timeLimitSeconds, Path file, String sha256) {

    public enum Design { SEQUENTIAL, CROSSOVER }

    /** One case: an image file (relative to the protocol's folder) and its reference code, null where unknown. */
    public record Case(String id, String image, String reference) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    public static StudyProtocol read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        JsonNode n;
        try {
            n = JSON.readTree(bytes);
        } catch (IOException e) {
            throw new IOException(file.getFileName() + ": is not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ").");
        }
        String where = file.getFileName() + ": ";
        String id = text(n, "id", where);
        String title = n.path("title").asText(id);
        List<String> labels = new ArrayList<>();
        n.path("labels").forEach(l -> labels.add(l.asText()));
        if (labels.size() < 2) {
            throw new IOException(where + "'labels' must list at least two diagnosis codes.");
        }
        List<Case> cases = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        int k = 0;
        for (JsonNode c : n.path("cases")) {
            String cid = c.path("id").asText(null);
            String image = c.path("image").asText(null);
            if (cid == null || image == null) {
                throw new IOException(where + "case " + (k + 1) + " needs an 'id' and an 'image'.");
            }
            if (!ids.add(cid)) {
                throw new IOException(where + "case id '" + cid + "' appears twice.");
            }
            String ref = c.path("reference").isMissingNode() || c.path("reference").isNull() ? null : c.path("reference").asText();
            if (ref != null && !labels.contains(ref)) {
                throw new IOException(where + "case '" + cid + "' has reference '" + ref + "', which is not in 'labels'.");
            }
            cases.add(new Case(cid, image, ref));
            k++;
        }
        if (cases.isEmpty()) {
            throw new IOException(where + "'cases' is empty.");
        }
        Design design;
        try {
            design = Design.valueOf(n.path("design").asText("sequential").toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IOException(where + "'design' is sequential or crossover, not '" + n.path("design").asText() + "'.");
        }
        int washout = n.path("washout_days").asInt(design == Design.CROSSOVER ? 14 : 0);
        if (washout < 0) {
            throw new IOException(where + "'washout_days' cannot be negative.");
        }
        String normal = n.path("normal_label").asText(labels.contains("NORMAL") ? "NORMAL" : null);
        if (normal != null && !labels.contains(normal)) {
            throw new IOException(where + "'normal_label' '" + normal + "' is not in 'labels'.");
        }
        int timeLimit = n.path("time_limit_s").asInt(0);
        if (timeLimit < 0) {
            throw new IOException(where + "'time_limit_s' cannot be negative.");
        }
        int ranked = n.path("ranked_answers").asInt(3);
        int levels = n.path("confidence_levels").asInt(5);
        if (ranked < 1 || ranked > labels.size() || levels < 2) {
            throw new IOException(where + "'ranked_answers' must be 1 to the number of labels, 'confidence_levels' at least 2.");
        }
        return new StudyProtocol(id, title, List.copyOf(cases), List.copyOf(labels), n.path("bundle").asText(null), design,
                n.path("seed").asLong(1), ranked, levels, washout, normal, timeLimit,
                file.toAbsolutePath(), Hashing.sha256(bytes));
    }

    private static String text(JsonNode n, String field, String where) throws IOException {
        String v = n.path(field).asText(null);
        if (v == null || v.isBlank()) {
            throw new IOException(where + "'" + field + "' is missing.");
        }
        return v;
    }

    /** The folder the protocol file is in: case images and the bundle path are relative to it. */
    public Path folder() {
        return file == null ? null : file.getParent();
    }

    /** A case's image: absolute, or relative to the protocol's folder. */
    public Path imageOf(Case c) {
        Path p = Path.of(c.image());
        return p.isAbsolute() || folder() == null ? p : folder().resolve(p).normalize();
    }

    /** The AI bundle's folder: a path (absolute or relative to the protocol), else null (resolved by id elsewhere). */
    public Path bundlePath() {
        if (bundle == null) {
            return null;
        }
        Path p = folder() == null ? Path.of(bundle) : folder().resolve(bundle).normalize();
        return Files.isDirectory(p) ? p : null;
    }

    public Case caseById(String caseId) {
        return cases.stream().filter(c -> c.id().equals(caseId)).findFirst().orElse(null);
    }

    /** The reader's case order: the study seed and the reader id fix it, so a resumed or repeated session agrees. */
    public List<Case> orderFor(String readerId) {
        List<Case> order = new ArrayList<>(cases);
        long s = seed * 1_000_003L + readerId.hashCode();
        Collections.shuffle(order, new Random(s));
        return order;
    }
}
