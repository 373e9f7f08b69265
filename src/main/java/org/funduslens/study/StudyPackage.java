package org.funduslens.study;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import org.funduslens.image.ImageLoadException;
import org.funduslens.image.ImageLoader;
import org.funduslens.model.BundleException;
import org.funduslens.model.ModelBundle;
import org.funduslens.util.Hashing;
import org.funduslens.util.SigningKey;

/**
 * Multi-site reader studies. The coordinator exports a <em>study package</em> (the protocol, the cases de-identified
 * to bare PNG pixels named by case id, the AI bundle's id and hash, signed); each site imports it, runs its readers,
 * and exports <em>site results</em> (its hash-chained read rows and enrolled readers, signed); the coordinator merges
 * the site results into one read log, refusing any package whose signature, file hashes or chain do not verify, or
 * whose protocol hash is not the study package's. Both are zip files with {@code manifest.json} and
 * {@code manifest.sig} (Ed25519 over the manifest's bytes; the manifest lists SHA-256 of every other entry).
 */
public final class StudyPackage {
    public static final String STUDY_KIND = "funduslens-study-package";
    public static final String RESULTS_KIND = "funduslens-site-results";
    private static final ObjectMapper JSON = new ObjectMapper().setSerializationInclusion(JsonInclude.Include.NON_NULL);
    private static final long MAX_ENTRY = 512L << 20;

    /** What a package says of itself. */
    public record Manifest(String kind, String study, String protocolSha256, String site, String bundleId, String bundleSha256,
                           Map<String, String> files, String signer, String createdAt, String deidentification) {}

    /** A package whose signature and file hashes verified. */
    public record Opened(Path source, Manifest manifest, Map<String, byte[]> entries) {
        public String signerFingerprint() {
            return SigningKey.fingerprint(manifest.signer());
        }
    }

    /** What a merge did: per site, readers and reads taken in. */
    public record Merged(String site, String signerFingerprint, int readers, int reads) {}

    private StudyPackage() {}

    // ---- coordinator: the study package ----------------------------------------------------------------------------

    /**
     * Writes the study package: each case's image decoded and written again as a PNG holding pixels only (no names,
     * IDs, dates, DICOM attributes or original file names), the protocol rewritten to point at them and to name the
     * bundle by id, and the bundle's id and SHA-256 (the bundle itself is installed at each site).
     */
    public static Manifest exportStudy(StudyProtocol p, Path bundleDir, SigningKey key, Clock clock, Path out) throws IOException {
        Map<String, byte[]> entries = new TreeMap<>();
        byte[] source = Files.readAllBytes(p.file());
        if (!Hashing.sha256(source).equals(p.sha256())) {
            throw new IOException(p.file() + ": was changed since the study was opened; open it again.");
        }
        ObjectNode protocol = (ObjectNode) JSON.readTree(source);
        ArrayNode cases = (ArrayNode) protocol.get("cases");
        for (int i = 0; i < p.cases().size(); i++) {
            StudyProtocol.Case c = p.cases().get(i);
            if (!c.id().matches("[A-Za-z0-9._-]{1,64}")) {
                throw new IOException(p.file().getFileName() + ": case id '" + c.id() + "' cannot name a file; use letters, digits, dots, dashes.");
            }
            String name = "cases/" + c.id() + ".png";
            try {
                ByteArrayOutputStream png = new ByteArrayOutputStream();
                ImageIO.write(ImageLoader.load(p.imageOf(c)).toBufferedImage(), "png", png);
                entries.put(name, png.toByteArray());
            } catch (ImageLoadException e) {
                throw new IOException(e.getMessage(), e);
            }
            ((ObjectNode) cases.get(i)).put("image", name);
        }
        String bundleId = p.bundle();
        String bundleSha = null;
        if (bundleDir != null) {
            try {
                ModelBundle b = ModelBundle.load(bundleDir);
                bundleId = b.id();
                bundleSha = b.sha256();
            } catch (BundleException e) {
                throw new IOException(e.getMessage(), e);
            }
        }
        if (bundleId != null) {
            protocol.put("bundle", bundleId);
        }
        byte[] protocolBytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(protocol);
        entries.put("protocol.json", protocolBytes);
        Manifest m = new Manifest(STUDY_KIND, p.id(), Hashing.sha256(protocolBytes), null, bundleId, bundleSha, hashes(entries),
                key.publicKeyBase64(), clock.instant().toString(),
                "case images are decoded pixels re-encoded as PNG, named by case id: no patient names, IDs, dates, "
                        + "DICOM attributes or file names (text burned into the pixels is not removed)");
        write(out, entries, m, key);
        return m;
    }

    /** Verifies a study package and unpacks it into {@code dir}; returns the protocol file to open. */
    public static Path importStudy(Path pkg, Path dir) throws IOException {
        Opened o = open(pkg, STUDY_KIND);
        Files.createDirectories(dir.resolve("cases"));
        for (Map.Entry<String, byte[]> e : o.entries().entrySet()) {
            Path target = dir.resolve(e.getKey()).normalize();
            if (!target.startsWith(dir.normalize())) {
                throw new IOException(pkg.getFileName() + ": entry " + e.getKey() + " points outside the study folder.");
            }
            Files.write(target, e.getValue());
        }
        Files.write(dir.resolve("manifest.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(o.manifest()));
        Path protocol = dir.resolve("protocol.json");
        StudyProtocol p = StudyProtocol.read(protocol);
        if (!p.sha256().equals(o.manifest().protocolSha256())) {
            throw new IOException(pkg.getFileName() + ": the protocol does not match the package's manifest.");
        }
        return protocol;
    }

    // ---- site: results -------------------------------------------------------------------------------------------------

    /** Writes the site's results: every stored row of this study's read log (chain intact) and its enrolled readers. */
    public static Manifest exportResults(StudyProtocol p, ReadLog log, String site, SigningKey key, Clock clock, Path out)
            throws IOException, DecisionLogException {
        if (site == null || !site.matches("[A-Za-z0-9_-]{1,32}")) {
            throw new IOException("Site name '" + site + "' must be 1 to 32 letters, digits, dashes or underscores.");
        }
        List<ReadLog.RawRow> rows = log.rawRows();
        ReadLog.Verification v = ReadLog.verifyChain(rows);
        if (!v.intact()) {
            throw new IOException("The read log's chain is broken (" + v.problems().get(0) + "); it cannot be exported.");
        }
        Map<String, byte[]> entries = new TreeMap<>();
        entries.put("reads.json", JSON.writeValueAsBytes(rows));
        entries.put("readers.json", JSON.writeValueAsBytes(log.readers(p.id())));
        Manifest m = new Manifest(RESULTS_KIND, p.id(), p.sha256(), site, null, null, hashes(entries), key.publicKeyBase64(),
                clock.instant().toString(), null);
        write(out, entries, m, key);
        return m;
    }

    // ---- coordinator: merge ---------------------------------------------------------------------------------------------

    /**
     * Verifies each site's results against the study package and appends their reads to {@code merged}, readers renamed
     * {@code SITE.READER}. {@code trusted}, where not empty, lists the signer fingerprints accepted. Nothing is merged
     * unless every package verifies.
     */
    public static List<Merged> merge(Path studyPackage, List<Path> results, List<String> trusted, ReadLog merged)
            throws IOException, DecisionLogException {
        Opened study = open(studyPackage, STUDY_KIND);
        List<Opened> sites = new ArrayList<>();
        List<List<ReadLog.Read>> reads = new ArrayList<>();
        List<List<ReadLog.Reader>> readers = new ArrayList<>();
        for (Path r : results) {
            Opened o = open(r, RESULTS_KIND);
            String name = r.getFileName().toString();
            if (!trusted.isEmpty() && !trusted.contains(o.signerFingerprint())) {
                throw new IOException(name + ": signed by " + o.signerFingerprint() + ", which is not among the trusted site keys.");
            }
            if (!study.manifest().study().equals(o.manifest().study())) {
                throw new IOException(name + ": holds results of study '" + o.manifest().study() + "', not '" + study.manifest().study() + "'.");
            }
            if (!study.manifest().protocolSha256().equals(o.manifest().protocolSha256())) {
                throw new IOException(name + ": was read under another protocol (hash " + o.manifest().protocolSha256().substring(0, 12)
                        + "\u2026, the study's is " + study.manifest().protocolSha256().substring(0, 12) + "\u2026).");
            }
            if (sites.stream().anyMatch(s -> s.manifest().site().equals(o.manifest().site()))) {
                throw new IOException(name + ": site '" + o.manifest().site() + "' is given twice.");
            }
            List<ReadLog.RawRow> rows = List.of(JSON.readValue(o.entries().get("reads.json"), ReadLog.RawRow[].class));
            ReadLog.Verification v = ReadLog.verifyChain(rows);
            if (!v.intact()) {
                throw new IOException(name + ": the read chain does not verify: " + v.problems().get(0));
            }
            List<ReadLog.Read> siteReads = new ArrayList<>();
            for (ReadLog.RawRow row : rows) {
                ReadLog.Read read;
                try {
                    read = ReadLog.parse(row);
                } catch (DecisionLogException e) {
                    throw new IOException(name + ": " + e.getMessage(), e);
                }
                if (!read.studyId().equals(study.manifest().study())) {
                    continue;
                }
                if (!read.protocolSha256().equals(study.manifest().protocolSha256())) {
                    throw new IOException(name + ": row " + row.id() + " was read under another protocol.");
                }
                siteReads.add(read);
            }
            List<ReadLog.Reader> siteReaders = List.of(JSON.readValue(o.entries().get("readers.json"), ReadLog.Reader[].class));
            for (ReadLog.Reader reader : siteReaders) {
                if ((o.manifest().site() + "." + reader.reader()).length() > 80) {
                    throw new IOException(name + ": reader id '" + reader.reader() + "' is too long to merge under site '"
                            + o.manifest().site() + "'.");
                }
            }
            sites.add(o);
            reads.add(siteReads);
            readers.add(siteReaders);
        }
        List<Merged> out = new ArrayList<>();
        for (int i = 0; i < sites.size(); i++) {
            String site = sites.get(i).manifest().site();
            for (ReadLog.Reader r : readers.get(i)) {
                merged.enrol(new ReadLog.Reader(r.studyId(), site + "." + r.reader(), r.yearsOfExperience(), r.specialty(),
                        r.country(), r.enrolledAt()));
            }
            for (ReadLog.Read r : reads.get(i)) {
                merged.append(new ReadLog.Read(r.studyId(), r.protocolSha256(), site + "." + r.reader(), r.caseId(), r.arm(),
                        r.session(), r.orderIndex(), r.answers(), r.confidence(), r.timeOnCaseMs(), r.aiBundleId(),
                        r.aiBundleSha256(), r.aiTop(), r.heatmapOpened(), r.changedAfterAi(), null, r.recordedAt(), r.appVersion()));
            }
            out.add(new Merged(site, sites.get(i).signerFingerprint(), readers.get(i).size(), reads.get(i).size()));
        }
        return out;
    }

    // ---- the container ---------------------------------------------------------------------------------------------------

    private static Map<String, String> hashes(Map<String, byte[]> entries) {
        Map<String, String> h = new TreeMap<>();
        entries.forEach((k, v) -> h.put(k, Hashing.sha256(v)));
        return h;
    }

    private static void write(Path out, Map<String, byte[]> entries, Manifest m, SigningKey key) throws IOException {
        byte[] manifest = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(m);
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        try (OutputStream os = Files.newOutputStream(tmp); ZipOutputStream zip = new ZipOutputStream(os)) {
            put(zip, "manifest.json", manifest);
            put(zip, "manifest.sig", Base64.getEncoder().encode(key.sign(manifest)));
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                put(zip, e.getKey(), e.getValue());
            }
        }
        Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static void put(ZipOutputStream zip, String name, byte[] data) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(data);
        zip.closeEntry();
    }

    /** Reads a package and checks its signature and every entry's hash; one sentence naming the file otherwise. */
    public static Opened open(Path pkg, String kind) throws IOException {
        String name = pkg.getFileName().toString();
        Map<String, byte[]> all = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(pkg); ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                if (e.isDirectory()) {
                    continue;
                }
                byte[] data = zip.readNBytes((int) Math.min(MAX_ENTRY, Integer.MAX_VALUE - 8));
                if (zip.read() != -1) {
                    throw new IOException(name + ": entry " + e.getName() + " is larger than a package entry may be.");
                }
                if (all.put(e.getName(), data) != null) {
                    throw new IOException(name + ": entry " + e.getName() + " appears twice.");
                }
            }
        } catch (java.util.zip.ZipException e) {
            throw new IOException(name + ": is not a FundusLens package (" + e.getMessage() + ").", e);
        }
        byte[] manifestBytes = all.remove("manifest.json");
        byte[] sig = all.remove("manifest.sig");
        if (manifestBytes == null || sig == null) {
            throw new IOException(name + ": is not a FundusLens package (no signed manifest).");
        }
        Manifest m;
        try {
            m = JSON.readValue(manifestBytes, Manifest.class);
        } catch (IOException e) {
            throw new IOException(name + ": its manifest is not readable (" + e.getMessage().lines().findFirst().orElse("") + ").", e);
        }
        if (!kind.equals(m.kind())) {
            throw new IOException(name + ": is a " + m.kind() + ", not a " + kind + ".");
        }
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(new String(sig, StandardCharsets.US_ASCII).strip());
        } catch (IllegalArgumentException e) {
            signature = new byte[0];
        }
        if (m.signer() == null || !SigningKey.verify(m.signer(), manifestBytes, signature)) {
            throw new IOException(name + ": the signature does not verify; the package was changed after it was signed.");
        }
        if (m.files() == null || !m.files().keySet().equals(all.keySet())) {
            throw new IOException(name + ": its entries are not the ones its manifest lists.");
        }
        for (Map.Entry<String, byte[]> e : all.entrySet()) {
            if (!Hashing.sha256(e.getValue()).equals(m.files().get(e.getKey()))) {
                throw new IOException(name + ": " + e.getKey() + " was changed after the package was signed.");
            }
        }
        return new Opened(pkg, m, all);
    }
}
