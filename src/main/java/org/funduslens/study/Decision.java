package org.funduslens.study;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.funduslens.model.Diagnosis;
import org.funduslens.model.Reading;
import org.funduslens.util.Hashing;

/**
 * A clinician's answer for one image, with what the AI showed at the time.
 *
 * @param agreesWithAi true when the clinician took the AI's first diagnosis
 * @param confidence   1 (guess) to 5 (certain)
 * @param notice       the demo warning for random-weight bundles, null otherwise
 * @param referral     the clinician's referral; null in decisions recorded before it was asked
 * @param timeOnCaseMs from the image being shown to the decision being saved; null where unknown
 * @param differential the clinician's second and third diagnoses (codes, ranked); empty where none were given
 */
public record Decision(
        Instant recordedAt,
        String reader,
        String imagePath,
        String imageSha256,
        String bundleId,
        String bundleSha256,
        boolean demo,
        String notice,
        String provider,
        boolean aiShown,
        List<Diagnosis> aiTop,
        boolean agreesWithAi,
        String decisionCode,
        String decisionName,
        int confidence,
        String note,
        Referral referral,
        Long timeOnCaseMs,
        List<String> differential) {

    /** Where the patient goes next. */
    public enum Referral { URGENT, ROUTINE, NONE }

    public Decision {
        if (confidence < 1 || confidence > 5) {
            throw new IllegalArgumentException("confidence must be 1 to 5, not " + confidence);
        }
        if (decisionCode == null || decisionCode.isBlank()) {
            throw new IllegalArgumentException("a decision needs a diagnosis");
        }
        aiTop = aiTop == null ? List.of() : List.copyOf(aiTop);
        differential = differential == null ? List.of() : List.copyOf(differential);
        if (differential.contains(decisionCode) || differential.stream().distinct().count() != differential.size()) {
            throw new IllegalArgumentException("the differential repeats a diagnosis");
        }
        note = note == null ? "" : note;
    }

    /**
     * A decision about what {@code reading} showed: {@code chosenCode} is the clinician's diagnosis (equal to the AI's
     * first when they agree). The image file's SHA-256 is recorded so the log can be tied to the exact pixels.
     */
    public static Decision about(Reading reading, boolean aiShown, String chosenCode, int confidence, String note) {
        return about(reading, aiShown, chosenCode, confidence, note, null, null, List.of());
    }

    /** As above, with the referral, the time on the case and the ranked differential after the chosen diagnosis. */
    public static Decision about(Reading reading, boolean aiShown, String chosenCode, int confidence, String note,
                                 Referral referral, Long timeOnCaseMs, List<String> differential) {
        for (String code : differential) {
            if (reading.bundle().labels().stream().noneMatch(l -> l.code().equals(code))) {
                throw new IllegalArgumentException("'" + code + "' is not a label of " + reading.bundle().id());
            }
        }
        var label = reading.bundle().labels().stream().filter(l -> l.code().equals(chosenCode)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("'" + chosenCode + "' is not a label of " + reading.bundle().id()));
        Path source = reading.image().source();
        String imageSha = null;
        if (source != null) {
            try {
                imageSha = Hashing.sha256(source);
            } catch (IOException e) {
                imageSha = null; // the file went away after it was read; the path is still recorded
            }
        }
        return new Decision(Instant.now(), System.getProperty("user.name", "unknown"),
                source == null ? reading.image().description() : source.toAbsolutePath().toString(), imageSha,
                reading.bundle().id(), reading.bundle().sha256(), reading.bundle().demo(), reading.bundle().demoNotice(),
                reading.provider().label(), aiShown, reading.top(), chosenCode.equals(reading.prediction().first().code()),
                label.code(), label.name(), confidence, note, referral, timeOnCaseMs, differential);
    }
}
