package org.funduslens.dicom;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Patient, study, series and instance, from a folder scan or a DICOMDIR. Patient names and IDs live here, for the
 * study browser only; nothing else in FundusLens reads them.
 */
public final class StudyTree {
    public record Instance(Path file, String sopInstanceUid, String sopClassUid, Integer number, String laterality) {
        public String label() {
            return file.getFileName() + " \u00B7 " + SopClass.shortName(sopClassUid)
                    + (laterality == null ? "" : " \u00B7 " + laterality);
        }
    }

    public record Series(String uid, String modality, Integer number, String description, List<Instance> instances) {
        public String label() {
            return (modality == null ? "?" : modality) + (number == null ? "" : " series " + number)
                    + (description == null ? "" : " \u2014 " + description) + "  [" + instances.size() + "]";
        }
    }

    public record Study(String uid, String date, String description, List<Series> series) {
        public String label() {
            return (date == null ? "no date" : date) + (description == null ? "" : " \u2014 " + description);
        }
    }

    public record Patient(String name, String id, List<Study> studies) {
        public String label() {
            return (name == null ? "(no name)" : name.replace('^', ' ').strip()) + (id == null ? "" : "  [" + id + "]");
        }
    }

    private final List<Patient> patients;
    private final List<String> problems;

    StudyTree(List<Patient> patients, List<String> problems) {
        this.patients = List.copyOf(patients);
        this.problems = List.copyOf(problems);
    }

    public List<Patient> patients() {
        return patients;
    }

    /** One sentence per file that could not be read. */
    public List<String> problems() {
        return problems;
    }

    public List<Instance> instances() {
        return patients.stream().flatMap(p -> p.studies().stream()).flatMap(s -> s.series().stream())
                .flatMap(s -> s.instances().stream()).toList();
    }

    /** A folder (its DICOMDIR when there is one at the top), a DICOMDIR file, or a single DICOM file. */
    public static StudyTree open(Path path) throws DicomException {
        if (Files.isDirectory(path)) {
            Path dir = path.resolve("DICOMDIR");
            if (Files.isRegularFile(dir)) {
                return DicomDirectory.read(dir);
            }
            return scan(path);
        }
        if (path.getFileName().toString().equalsIgnoreCase("DICOMDIR")) {
            return DicomDirectory.read(path);
        }
        return scan(path);
    }

    /** Reads the header of every DICOM file below {@code root}; files that fail are listed, not fatal. */
    static StudyTree scan(Path root) throws DicomException {
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(root)) {
            try (Stream<Path> s = Files.walk(root)) {
                s.filter(Files::isRegularFile).sorted().forEach(files::add);
            } catch (IOException e) {
                throw new DicomException(root, "the folder cannot be read (" + e.getMessage() + ").", e);
            }
        } else {
            files.add(root);
        }
        Builder b = new Builder();
        List<String> problems = new ArrayList<>();
        for (Path f : files) {
            if (f.getFileName().toString().equalsIgnoreCase("DICOMDIR") || !DicomParser.isDicom(f)) {
                continue;
            }
            try {
                DicomFile df = DicomParser.read(f, false);
                b.add(df.dataset(), f, df.sopClassUid());
            } catch (DicomException e) {
                problems.add(e.getMessage());
            }
        }
        return b.build(problems);
    }

    /** Groups instances by patient, study and series, keeping the first-seen order and sorting instances by number. */
    static final class Builder {
        private final Map<String, Object[]> patients = new LinkedHashMap<>();

        @SuppressWarnings("unchecked")
        void add(DicomDataset d, Path file, String sopClass) {
            String pid = d.string(Tag.PATIENT_ID);
            String pname = d.string(Tag.PATIENT_NAME);
            Object[] p = patients.computeIfAbsent(pid + "\u0000" + pname, k -> new Object[] {pname, pid, new LinkedHashMap<>()});
            Map<String, Object[]> studies = (Map<String, Object[]>) p[2];
            String st = d.string(Tag.STUDY_INSTANCE_UID);
            Object[] s = studies.computeIfAbsent(String.valueOf(st), k -> new Object[] {st, d.string(Tag.STUDY_DATE),
                    d.string(Tag.STUDY_DESCRIPTION), new LinkedHashMap<>()});
            Map<String, Object[]> series = (Map<String, Object[]>) s[3];
            String se = d.string(Tag.SERIES_INSTANCE_UID);
            Object[] r = series.computeIfAbsent(String.valueOf(se), k -> new Object[] {se, d.string(Tag.MODALITY),
                    d.contains(Tag.SERIES_NUMBER) ? d.integer(Tag.SERIES_NUMBER, 0) : null, d.string(Tag.SERIES_DESCRIPTION),
                    new ArrayList<Instance>()});
            String lat = d.string(Tag.IMAGE_LATERALITY);
            ((List<Instance>) r[4]).add(new Instance(file, d.string(Tag.SOP_INSTANCE_UID), sopClass,
                    d.contains(Tag.INSTANCE_NUMBER) ? d.integer(Tag.INSTANCE_NUMBER, 0) : null,
                    lat != null ? lat : d.string(Tag.LATERALITY)));
        }

        @SuppressWarnings("unchecked")
        StudyTree build(List<String> problems) {
            List<Patient> out = new ArrayList<>();
            for (Object[] p : patients.values()) {
                List<Study> studies = new ArrayList<>();
                for (Object[] s : ((Map<String, Object[]>) p[2]).values()) {
                    List<Series> series = new ArrayList<>();
                    for (Object[] r : ((Map<String, Object[]>) s[3]).values()) {
                        List<Instance> inst = new ArrayList<>((List<Instance>) r[4]);
                        inst.sort(Comparator.comparing(i -> i.number() == null ? Integer.MAX_VALUE : i.number()));
                        series.add(new Series((String) r[0], (String) r[1], (Integer) r[2], (String) r[3], inst));
                    }
                    studies.add(new Study((String) s[0], (String) s[1], (String) s[2], series));
                }
                out.add(new Patient((String) p[0], (String) p[1], studies));
            }
            return new StudyTree(out, problems);
        }
    }
}
