package org.funduslens.dicom;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A DICOMDIR (removable media): records linked by (0004,1400) next and (0004,1420) lower-level offsets, read into a
 * {@link StudyTree}. Where the offsets are missing or broken, the records' order and types decide the nesting.
 */
public final class DicomDirectory {
    private DicomDirectory() {}

    public static StudyTree read(Path dicomdir) throws DicomException {
        DicomFile f = DicomParser.read(dicomdir, false);
        List<DicomDataset> records = f.dataset().items(Tag.DIRECTORY_RECORD_SEQUENCE);
        if (!f.dataset().contains(Tag.DIRECTORY_RECORD_SEQUENCE)) {
            throw new DicomException(dicomdir, "is not a DICOMDIR (it has no directory record sequence).");
        }
        Map<Long, DicomDataset> byOffset = new HashMap<>();
        for (DicomDataset r : records) {
            byOffset.put(r.offset(), r);
        }
        StudyTree.Builder b = new StudyTree.Builder();
        Path base = dicomdir.toAbsolutePath().getParent();
        long first = f.dataset().integer(Tag.FIRST_RECORD_OFFSET, 0) & 0xFFFFFFFFL;
        boolean linked = first != 0 && byOffset.containsKey(first);
        Context ctx = new Context();
        if (linked) {
            walk(byOffset, first, base, b, ctx, 0);
        }
        if (!linked || ctx.images == 0) {
            // no usable links: the records are in order, each level below the last record of the level above
            for (DicomDataset r : records) {
                visit(r, base, b, ctx);
            }
        }
        return b.build(ctx.problems);
    }

    private static final class Context {
        DicomDataset patient;
        DicomDataset study;
        DicomDataset series;
        int images;
        final java.util.ArrayList<String> problems = new java.util.ArrayList<>();
        final java.util.HashSet<Long> seen = new java.util.HashSet<>();
    }

    private static void walk(Map<Long, DicomDataset> byOffset, long offset, Path base, StudyTree.Builder b, Context ctx,
                             int depth) {
        while (offset != 0 && depth < 8) {
            if (!ctx.seen.add(offset)) {
                ctx.problems.add("DICOMDIR: its records point in a circle at offset " + offset + ".");
                return;
            }
            DicomDataset r = byOffset.get(offset);
            if (r == null) {
                ctx.problems.add("DICOMDIR: a record points at offset " + offset + ", where there is no record.");
                return;
            }
            visit(r, base, b, ctx);
            long lower = r.integer(Tag.LOWER_LEVEL_OFFSET, 0) & 0xFFFFFFFFL;
            if (lower != 0) {
                walk(byOffset, lower, base, b, ctx, depth + 1);
            }
            offset = r.integer(Tag.NEXT_RECORD_OFFSET, 0) & 0xFFFFFFFFL;
        }
    }

    private static void visit(DicomDataset r, Path base, StudyTree.Builder b, Context ctx) {
        String type = String.valueOf(r.string(Tag.DIRECTORY_RECORD_TYPE)).toUpperCase(Locale.ROOT);
        switch (type) {
            case "PATIENT" -> {
                ctx.patient = r;
                ctx.study = null;
                ctx.series = null;
            }
            case "STUDY" -> {
                ctx.study = r;
                ctx.series = null;
            }
            case "SERIES" -> ctx.series = r;
            default -> {
                String ref = r.string(Tag.REFERENCED_FILE_ID);
                if (ref == null) {
                    return;
                }
                Path file = base;
                for (String part : ref.split("\\\\")) {
                    file = file.resolve(part.strip());
                }
                if (!Files.isRegularFile(file)) {
                    // media written on other systems may differ in case
                    Path alt = caseInsensitive(base, ref.split("\\\\"));
                    if (alt == null) {
                        ctx.problems.add("DICOMDIR: " + ref.replace('\\', '/') + " is listed but missing from the medium.");
                        return;
                    }
                    file = alt;
                }
                DicomDataset merged = new DicomDataset();
                for (DicomDataset level : new DicomDataset[] {ctx.patient, ctx.study, ctx.series, r}) {
                    if (level != null) {
                        level.elements().forEach(merged::put);
                        merged.charset(level.charset());
                    }
                }
                String sop = r.string(Tag.REFERENCED_SOP_CLASS_UID_IN_FILE);
                DicomDataset withUid = merged;
                if (!merged.contains(Tag.SOP_INSTANCE_UID) && r.get(Tag.REFERENCED_SOP_INSTANCE_UID_IN_FILE) != null) {
                    DicomElement e = r.get(Tag.REFERENCED_SOP_INSTANCE_UID_IN_FILE);
                    withUid.put(new DicomElement(Tag.SOP_INSTANCE_UID, "UI", e.value(), null, null, e.bigEndian()));
                }
                b.add(withUid, file, sop);
                ctx.images++;
            }
        }
    }

    private static Path caseInsensitive(Path base, String[] parts) {
        Path cur = base;
        for (String part : parts) {
            Path next = null;
            try (var s = Files.list(cur)) {
                next = s.filter(p -> p.getFileName().toString().equalsIgnoreCase(part.strip())).findFirst().orElse(null);
            } catch (java.io.IOException e) {
                return null;
            }
            if (next == null) {
                return null;
            }
            cur = next;
        }
        return Files.isRegularFile(cur) ? cur : null;
    }
}
