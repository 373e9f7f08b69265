package org.funduslens.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.funduslens.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every DICOM file with pixel data among Debian python3-pydicom's test files and shared/data/dicom, decoded by
 * FundusLens and by other tools (dcmtk's dcmdjpeg and dcmdrle, GDCM for JPEG 2000, read back with pydicom): the same
 * samples, exactly, or within 1 where a YBR-to-RGB conversion or lossy JPEG 2000 is involved.
 */
class DicomPixelTest {
    static final Path PYDICOM = Path.of("/usr/lib/python3/dist-packages/pydicom/data/test_files");

    /** Files whose reference is known to be unusable, and why (see ../shared/design/DICOM.md). */
    static final Map<String, String> KNOWN = Map.of(
            "GDCMJ2K_TextGBR.dcm", "non-conformant JP2 header with YBR_RCT: decoders disagree",
            "JPEG2000-embedded-sequence-delimiter.dcm", "deliberately corrupted codestream: GDCM fails too");

    @TempDir
    Path tmp;

    static List<Path> files() throws IOException {
        List<Path> out = new ArrayList<>();
        assumeTrue(Files.isDirectory(PYDICOM), "skipped: Debian's python3-pydicom test files are not installed "
                + "(apt-get install python3-pydicom dcmtk libgdcm-tools)");
        try (Stream<Path> s = Files.walk(PYDICOM)) {
            s.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".dcm")).sorted().forEach(out::add);
        }
        Path shared = Path.of(System.getProperty("funduslens.shared.dir", "../shared")).resolve("data/dicom");
        if (Files.isDirectory(shared)) {
            try (Stream<Path> s = Files.list(shared)) {
                s.filter(p -> p.toString().endsWith(".dcm")).sorted().forEach(out::add);
            }
        }
        return out;
    }

    @Test
    void samePixelsAsDcmtkAndGdcm() throws Exception {
        TestData.assumePython("pydicom", "numpy");
        for (String tool : List.of("dcmdjpeg", "dcmdrle", "gdcmconv")) {
            assumeTrue(Files.isExecutable(Path.of("/usr/bin", tool)), "skipped: " + tool + " is not installed");
        }
        List<Path> all = files();
        List<Path> withPixels = new ArrayList<>();
        StringBuilder jobs = new StringBuilder();
        for (Path p : all) {
            DicomFile f;
            try {
                f = DicomParser.read(p, false);
            } catch (DicomException e) {
                continue;   // damaged files are the parser tests' business
            }
            if (f.dataset().contains(Tag.PIXEL_DATA) && f.dataset().integer(Tag.ROWS, 0) > 0) {
                jobs.append("{\"file\": \"").append(p).append("\", \"out\": \"").append(tmp.resolve("r" + withPixels.size()))
                        .append("\"}\n");
                withPixels.add(p);
            }
        }
        assertTrue(withPixels.size() >= 40, "the pydicom test files with pixel data: " + withPixels.size());
        Process proc = new ProcessBuilder(TestData.systemPython().toString(),
                TestData.projectDir().resolve("src/test/python/dicom_reference.py").toString()).start();
        try (var w = proc.getOutputStream()) {
            w.write(jobs.toString().getBytes());
        }
        String[] lines = new String(proc.getInputStream().readAllBytes()).split("\n");
        String errors = new String(proc.getErrorStream().readAllBytes());
        assertEquals(0, proc.waitFor(), errors);
        assertEquals(withPixels.size(), lines.length, String.join("\n", lines) + errors);

        StringBuilder table = new StringBuilder();
        List<String> failures = new ArrayList<>();
        int exact = 0;
        int close = 0;
        int unsupported = 0;
        for (int i = 0; i < withPixels.size(); i++) {
            Path p = withPixels.get(i);
            String name = p.getFileName().toString();
            String[] ref = lines[i].split(" ", 3);
            DicomFile f = DicomParser.read(p, true);
            String ts = f.transferSyntax();
            String row = String.format(Locale.ROOT, "%-45s %-22s ", name, TransferSyntax.name(ts));
            List<Frame> mine = new ArrayList<>();
            String myError = null;
            try {
                for (int k = 0; k < f.frames(); k++) {
                    mine.add(PixelDecoder.decode(f, k));
                }
            } catch (DicomException e) {
                myError = e.getMessage();
            }
            if (myError != null) {
                boolean expected = myError.contains("is not supported yet") || myError.contains("not supported yet")
                        || KNOWN.containsKey(name);
                table.append(row).append(expected ? "refused: " : "FAILED: ").append(myError).append('\n');
                if (expected) {
                    unsupported++;
                } else if (ref[0].equals("ok")) {
                    failures.add(name + ": " + myError);
                }
                continue;
            }
            if (!ref[0].equals("ok")) {
                table.append(row).append("decoded; no reference (").append(ref.length > 2 ? ref[2] : "").append(")\n");
                continue;
            }
            String[] dims = ref[2].split(" ");
            int frames = Integer.parseInt(dims[0]);
            int spp = Integer.parseInt(dims[3]);
            int[] want = readI32(Path.of(ref[1] + ".i32"));
            int per = want.length / frames;
            int worst = 0;
            long differ = 0;
            for (int k = 0; k < Math.min(frames, mine.size()); k++) {
                int[] got = mine.get(k).samples();
                if (got.length != per) {
                    worst = Integer.MAX_VALUE;
                    break;
                }
                for (int j = 0; j < per; j++) {
                    int d = Math.abs(got[j] - want[k * per + j]);
                    if (d > 0) {
                        differ++;
                        worst = Math.max(worst, d);
                    }
                }
            }
            String pi = String.valueOf(f.dataset().string(Tag.PHOTOMETRIC_INTERPRETATION));
            boolean converted = spp == 3 && pi.startsWith("YBR_FULL");
            boolean lossyJ2k = ts.equals(TransferSyntax.J2K);
            String verdict = worst == 0 ? "EXACT" : "max " + (worst == Integer.MAX_VALUE ? "size" : worst) + " on " + differ;
            table.append(row).append(verdict).append(" vs ").append(dims[4]).append('\n');
            if (worst == 0) {
                exact++;
            } else if (worst <= 1 && (converted || lossyJ2k)) {
                close++;
            } else if (KNOWN.containsKey(name)) {
                table.append("    known: ").append(KNOWN.get(name)).append('\n');
            } else {
                failures.add(name + " (" + TransferSyntax.name(ts) + ", " + pi + "): " + verdict);
            }
        }
        System.out.print(table);
        System.out.printf(Locale.ROOT, "%d exact, %d within 1, %d refused as unsupported%n", exact, close, unsupported);
        assertTrue(failures.isEmpty(), String.join("\n", failures) + "\n\n" + table);
        assertTrue(exact >= 30, table.toString());
    }

    static int[] readI32(Path f) throws IOException {
        byte[] b = Files.readAllBytes(f);
        int[] v = new int[b.length / 4];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(v);
        return v;
    }

    @Test
    void theColourJpegFastPathGivesTheSameBytesAsTheGeneralPath(@TempDir Path tmp) throws Exception {
        List<Path> files = new ArrayList<>();
        files.add(TestData.ophthalmicDicom(tmp, TestData.shared().resolve("fundus/idrid/IDRiD_27.jpg"), "op.dcm", "-oph", "R"));
        if (Files.isDirectory(PYDICOM)) {
            try (Stream<Path> s = Files.list(PYDICOM)) {
                s.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".dcm")).sorted().forEach(files::add);
            }
        }
        int fast = 0;
        for (Path p : files) {
            DicomFile f;
            byte[] bytes;
            try {
                f = DicomParser.read(p, true);
                bytes = PixelDecoder.rgb8(f, 0);
            } catch (DicomException e) {
                continue;   // not an image, or refused: the general path's tests cover those
            }
            if (bytes == null) {
                continue;
            }
            fast++;
            assertTrue(java.util.Arrays.equals(DicomImages.toRgb8(PixelDecoder.decode(f, 0), f.dataset()), bytes),
                    p.getFileName() + ": the fast path differs from the general path");
        }
        assertTrue(fast >= 1, "the camera photograph took the fast path");
        System.out.println("colour JPEG fast path: " + fast + " files identical to the general path");
    }
}
