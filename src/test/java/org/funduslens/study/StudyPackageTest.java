package org.funduslens.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.funduslens.TestData;
import org.funduslens.study.analysis.StudyReport;
import org.funduslens.util.SigningKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A study run at two sites: the coordinator's signed, de-identified study package; each site's signed, hash-chained
 * results; the merge; and the merge refusing changed packages, another protocol, a re-signed broken chain and an
 * untrusted signer.
 */
class StudyPackageTest {
    @TempDir
    Path tmp;

    private final Clock clock = Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC);

    private Path coordinatorProtocol() throws IOException {
        Path data = TestData.shared();
        Path dir = Files.createDirectories(tmp.resolve("coordinator"));
        return Files.writeString(dir.resolve("multi.json"), """
            {"id": "multi-site", "title": "Three-country replication", "seed": 5,
             "labels": ["NORMAL", "DR1", "DR3", "MH", "GLC"], "bundle": "%s",
             "cases": [{"id": "k1", "image": "%s", "reference": "NORMAL"},
                       {"id": "k2", "image": "%s", "reference": "DR3"},
                       {"id": "k3", "image": "%s", "reference": "MH"},
                       {"id": "k4", "image": "%s"}]}
            """.formatted(TestData.demoBundle(), data.resolve("fundus/jsiec/fundus_normal.jpg"),
                data.resolve("fundus/jsiec/fundus_dr_severe.jpg"), data.resolve("fundus/other/wikimedia_macular_hole.png"),
                data.resolve("dicom/dcmjs_sample-op_Spectralis_IR.dcm")));
    }

    /** A site: imports the package, two readers read every case unaided then aided, results exported. */
    private Path runSite(Path pkg, String site, UnaryOperator<String> editProtocol) throws Exception {
        Path dir = tmp.resolve("site-" + site);
        Path protocolFile = StudyPackage.importStudy(pkg, dir);
        if (editProtocol != null) {
            Files.writeString(protocolFile, editProtocol.apply(Files.readString(protocolFile)));
        }
        StudyProtocol p = StudyProtocol.read(protocolFile);
        assertTrue(Files.isRegularFile(p.imageOf(p.cases().get(3))), "cases are unpacked beside the protocol");
        try (ReadLog log = ReadLog.open(dir.resolve("reads.sqlite"))) {
            for (String reader : List.of("r1", "r2")) {
                log.enrol(new ReadLog.Reader(p.id(), reader, 4, "general", site, clock.instant().toString()));
                ReaderSession s = ReaderSession.open(p, log, reader, clock, "t");
                while (s.current() != null) {
                    ReaderSession.Task t = s.current();
                    String ref = t.item().reference() == null ? "GLC" : t.item().reference();
                    s.submit(List.of(t.aided() || reader.equals("r2") ? ref : "DR1"), 3,
                            t.aided() ? new ReaderSession.AiShown("demo", "ab", List.of(ref, "DR1", "GLC"), false) : null);
                }
            }
            Path out = tmp.resolve(site + ".flresults");
            StudyPackage.exportResults(p, log, site, SigningKey.loadOrCreate(dir.resolve("keys")), clock, out);
            return out;
        }
    }

    @Test
    void twoSitesReadAndTheCoordinatorMergesOnlyWhatVerifies() throws Exception {
        Path protocol = coordinatorProtocol();
        SigningKey coordinator = SigningKey.loadOrCreate(tmp.resolve("coordinator-keys"));
        Path pkg = tmp.resolve("multi.flstudy");
        StudyProtocol source = StudyProtocol.read(protocol);
        var manifest = StudyPackage.exportStudy(source, source.bundlePath(), coordinator, clock, pkg);
        assertEquals("funduslens-demo-tiny-vit", manifest.bundleId());
        assertEquals(64, manifest.bundleSha256().length());

        // de-identified: nothing of the DICOM's patient, no original file names, no dates
        Map<String, byte[]> entries = unzip(pkg);
        assertEquals(List.of("cases/k1.png", "cases/k2.png", "cases/k3.png", "cases/k4.png", "manifest.json", "manifest.sig",
                "protocol.json"), entries.keySet().stream().sorted().toList());
        for (var e : entries.entrySet()) {
            String text = new String(e.getValue(), StandardCharsets.ISO_8859_1);
            for (String leak : List.of("Skywalker", "0819", "20100520", "fundus_normal", "Spectralis_IR", "dcmjs")) {
                assertFalse(text.contains(leak), e.getKey() + " carries '" + leak + "'");
            }
        }
        assertTrue(new String(entries.get("protocol.json"), StandardCharsets.UTF_8).contains("\"bundle\" : \"funduslens-demo-tiny-vit\""));

        Path a = runSite(pkg, "london", null);
        Path b = runSite(pkg, "chennai", null);
        try (ReadLog merged = ReadLog.open(tmp.resolve("merged.sqlite"))) {
            var result = StudyPackage.merge(pkg, List.of(a, b), List.of(), merged);
            assertEquals(2, result.size());
            assertEquals(16, result.get(0).reads());
            assertEquals(List.of("london.r1", "london.r2", "chennai.r1", "chennai.r2"),
                    merged.readers("multi-site").stream().map(ReadLog.Reader::reader).toList());
            StudyProtocol imported = StudyProtocol.read(tmp.resolve("site-london/protocol.json"));
            StudyReport r = StudyReport.compute(imported, merged.currentReads("multi-site"), merged.readers("multi-site"));
            assertEquals(4, r.readers().size());
            assertEquals(1.0, r.arm(ReaderSession.AIDED).meanTop1(), 1e-12);
            assertEquals(0.5, r.arm(ReaderSession.UNAIDED).meanTop1(), 1e-12, "r1 misses every case unaided, r2 none");
        }
        assertTrue(ReadLog.verify(tmp.resolve("merged.sqlite")).intact());

        // a results file changed after signing
        Path changed = rezip(a, tmp.resolve("changed.flresults"), (name, data) -> name.equals("reads.json")
                ? new String(data, StandardCharsets.UTF_8).replaceFirst("\\\\\"DR1\\\\\"", "\\\\\"NORMAL\\\\\"").getBytes(StandardCharsets.UTF_8)
                : data);
        assertRefused(pkg, changed, "changed.flresults: reads.json was changed after the package was signed.");
        // its manifest changed (another site name) under the old signature
        Path renamed = rezip(a, tmp.resolve("renamed.flresults"), (name, data) -> name.equals("manifest.json")
                ? new String(data, StandardCharsets.UTF_8).replace("london", "paris").getBytes(StandardCharsets.UTF_8) : data);
        assertRefused(pkg, renamed, "renamed.flresults: the signature does not verify; the package was changed after it was signed.");
        // a site that read under an edited protocol
        Path other = runSite(pkg, "lyon", text -> text.replace("Three-country replication", "Edited title"));
        var e = assertThrows(IOException.class, () -> mergeInto(pkg, other, List.of()));
        assertTrue(e.getMessage().startsWith("lyon.flresults: was read under another protocol"), e.getMessage());
        // an untrusted signer
        SigningKey london = SigningKey.loadOrCreate(tmp.resolve("site-london/keys"));
        var u = assertThrows(IOException.class, () -> mergeInto(pkg, b, List.of(london.fingerprint())));
        assertTrue(u.getMessage().contains("is not among the trusted site keys"), u.getMessage());
        // and a study package that is not one
        var n = assertThrows(IOException.class, () -> StudyPackage.open(a, StudyPackage.STUDY_KIND));
        assertEquals("london.flresults: is a funduslens-site-results, not a funduslens-study-package.", n.getMessage());
    }

    @Test
    void aBrokenChainIsRefusedEvenWhenTheSiteSignsIt() throws Exception {
        ReadLog.RawRow r1 = new ReadLog.RawRow(1, "{}", "0".repeat(64), ReadLog.hash("0".repeat(64), "{}"));
        ReadLog.RawRow r2 = new ReadLog.RawRow(2, "{\"x\":1}", r1.hash(), ReadLog.hash(r1.hash(), "{\"x\":1}"));
        assertTrue(ReadLog.verifyChain(List.of(r1, r2)).intact());
        var swapped = ReadLog.verifyChain(List.of(new ReadLog.RawRow(1, r2.content(), r1.prevHash(), r2.hash()), r2));
        assertFalse(swapped.intact());
        var gap = ReadLog.verifyChain(List.of(r2));
        assertTrue(gap.problems().get(0).contains("were deleted"), gap.problems().toString());
    }

    private void assertRefused(Path pkg, Path results, String message) {
        var e = assertThrows(IOException.class, () -> mergeInto(pkg, results, List.of()));
        assertEquals(message, e.getMessage());
    }

    private void mergeInto(Path pkg, Path results, List<String> trusted) throws Exception {
        Path db = Files.createTempFile(tmp, "merge", ".sqlite");
        Files.delete(db);
        try (ReadLog merged = ReadLog.open(db)) {
            StudyPackage.merge(pkg, List.of(results), trusted, merged);
        }
    }

    private static Map<String, byte[]> unzip(Path zip) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(zip); ZipInputStream z = new ZipInputStream(in)) {
            for (ZipEntry e; (e = z.getNextEntry()) != null; ) {
                out.put(e.getName(), z.readAllBytes());
            }
        }
        return out;
    }

    private static Path rezip(Path from, Path to, java.util.function.BiFunction<String, byte[], byte[]> edit) throws IOException {
        try (OutputStream os = Files.newOutputStream(to); ZipOutputStream z = new ZipOutputStream(os)) {
            for (var e : unzip(from).entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(edit.apply(e.getKey(), e.getValue()));
                z.closeEntry();
            }
        }
        return to;
    }
}
