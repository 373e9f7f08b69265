package org.funduslens.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.funduslens.TestData;
import org.funduslens.image.Eye;
import org.funduslens.image.FundusImage;
import org.funduslens.image.ImageLoadException;
import org.funduslens.image.ImageLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ophthalmic attributes, DICOM made from real photographs with dcmtk, character sets, and bad input. */
class DicomReaderTest {
    @TempDir
    Path tmp;

    @Test
    void theSpectralisOpFileGivesItsEyeAndAttributes() throws Exception {
        Path op = TestData.shared().resolve("dicom/dcmjs_sample-op_Spectralis_IR.dcm");
        DicomFile f = DicomParser.read(op, false);
        OphthalmicInfo i = OphthalmicInfo.of(f);
        assertEquals(SopClass.OP_8, i.sopClassUid());
        assertEquals("R", i.laterality());
        assertEquals("Scanning Laser Ophthalmoscope", i.acquisitionDevice());
        assertEquals("Retina", i.anatomicRegion());
        assertEquals(30.0, i.horizontalFieldOfView(), 1e-9);
        assertEquals(0.005768, i.pixelSpacing()[0], 1e-9);
        assertEquals("Heidelberg Engineering", i.manufacturer());
        FundusImage img = ImageLoader.load(op);
        assertEquals(Eye.OD, img.eye());
        assertEquals(1536, img.width());
        assertTrue(img.sourceGrey());
        assertTrue(img.description().contains("OP 8-bit"), img.description());
        assertFalse(img.description().contains("Skywalker"), "no patient name outside the browser");
    }

    private static void needDcmtk() {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/img2dcm")), "skipped: dcmtk is not installed (apt-get install dcmtk)");
    }

    @Test
    void opAndVlpMadeFromRealPhotographsOpenWithTheirEye() throws Exception {
        needDcmtk();
        Path jpeg = TestData.shared().resolve("fundus/jsiec/fundus_dr_mild.jpg");
        Path op = TestData.ophthalmicDicom(tmp, jpeg, "op.dcm", "-oph", "L");
        Path vlp = TestData.ophthalmicDicom(tmp, TestData.shared().resolve("fundus/hrf/01_h.jpg"), "vlp.dcm", "-vlp", "R");
        FundusImage fromDicom = ImageLoader.load(op);
        FundusImage fromJpeg = ImageLoader.load(jpeg);
        assertEquals(Eye.OS, fromDicom.eye());
        assertEquals(fromJpeg.width(), fromDicom.width());
        // the same JPEG bytes, decoded as DICOM YBR_FULL_422 with the DICOM formula: within 1 grey level of the JPEG path
        int worst = 0;
        for (int i = 0; i < fromJpeg.rgb().length; i += 97) {
            worst = Math.max(worst, Math.abs((fromJpeg.rgb()[i] & 0xff) - (fromDicom.rgb()[i] & 0xff)));
        }
        assertTrue(worst <= 2, "DICOM and JPEG decodes differ by " + worst);
        OphthalmicInfo i = OphthalmicInfo.of(DicomParser.read(op, false));
        assertEquals("Fundus Camera", i.acquisitionDevice());
        assertEquals("Retina", i.anatomicRegion());
        assertEquals(45.0, i.horizontalFieldOfView(), 1e-9);
        assertEquals(SopClass.VL_PHOTOGRAPHIC, OphthalmicInfo.of(DicomParser.read(vlp, false)).sopClassUid());
        assertEquals(Eye.OD, ImageLoader.load(vlp).eye());
    }

    @Test
    void dicomdirVariantsListTheSameImages() throws Exception {
        Path dir = DicomPixelTest.PYDICOM.resolve("dicomdirtests");
        assumeTrue(Files.isDirectory(dir), "skipped: pydicom's DICOMDIR test files are not installed");
        // DICOMDIR-nooffset had tags cut out of its records without fixing the item lengths, so its last item claims
        // bytes beyond the end of the file: refused in one sentence rather than guessed at
        DicomException cut = assertThrows(DicomException.class, () -> DicomDirectory.read(dir.resolve("DICOMDIR-nooffset")));
        assertTrue(cut.getMessage().startsWith("DICOMDIR-nooffset: "), cut.getMessage());
        for (String n : List.of("DICOMDIR", "DICOMDIR-bigEnd", "DICOMDIR-implicit", "DICOMDIR-reordered")) {
            StudyTree t = DicomDirectory.read(dir.resolve(n));
            assertEquals(31, t.instances().size(), n + ": " + t.problems());
            assertEquals(2, t.patients().size(), n);
            assertTrue(t.problems().isEmpty(), n + ": " + t.problems());
        }
        StudyTree tiny = StudyTree.open(dir.resolve("TINY_ALPHA"));
        assertEquals(50, tiny.instances().size());
        StudyTree scanned = StudyTree.open(dir.resolve("98892003"));
        assertTrue(scanned.instances().size() > 0);
    }

    @Test
    void anOctVolumeIsNotAnalysedButItsFramesExport() throws Exception {
        TestData.assumePython("pydicom", "numpy");
        Path opt = tmp.resolve("oct.dcm");
        String code = String.join("\n",
                "import numpy as np, pydicom",
                "from pydicom.dataset import Dataset, FileMetaDataset",
                "from pydicom.uid import ExplicitVRLittleEndian, generate_uid",
                "m = FileMetaDataset(); m.MediaStorageSOPClassUID = '1.2.840.10008.5.1.4.1.1.77.1.5.4'",
                "m.MediaStorageSOPInstanceUID = generate_uid(); m.TransferSyntaxUID = ExplicitVRLittleEndian",
                "d = Dataset(); d.file_meta = m; d.SOPClassUID = m.MediaStorageSOPClassUID; d.SOPInstanceUID = m.MediaStorageSOPInstanceUID",
                "d.Modality = 'OPT'; d.ImageLaterality = 'L'; d.Rows = 96; d.Columns = 128; d.NumberOfFrames = 3",
                "d.SamplesPerPixel = 1; d.PhotometricInterpretation = 'MONOCHROME2'; d.BitsAllocated = 8; d.BitsStored = 8",
                "d.HighBit = 7; d.PixelRepresentation = 0",
                "a = np.zeros((3, 96, 128), np.uint8); a[1, :, :] = 77; a[2, 40:50, :] = 200",
                "d.PixelData = a.tobytes(); d.is_little_endian = True; d.is_implicit_VR = False",
                "d.save_as(" + "'" + opt + "'" + ", write_like_original=False)");
        Process p = new ProcessBuilder(TestData.systemPython().toString(), "-c", code).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), log);
        ImageLoadException e = assertThrows(ImageLoadException.class, () -> ImageLoader.load(opt));
        assertTrue(e.getMessage().contains("OCT volume (3 B-scans)"), e.getMessage());
        assertEquals(77, PixelDecoder.decode(DicomParser.read(opt, true), 1).samples()[0]);
        assertEquals(200, PixelDecoder.decode(DicomParser.read(opt, true), 2).samples()[45 * 128]);
    }

    @Test
    void characterSetsAreDecoded() throws Exception {
        Path dir = DicomPixelTest.PYDICOM.resolve("../charset_files").normalize();
        assumeTrue(Files.isDirectory(dir), "skipped: pydicom's charset test files are not installed");
        DicomDataset utf8 = DicomParser.read(dir.resolve("chrX1.dcm"), false).dataset();
        assertEquals("Wang^XiaoDong=王^小東=", utf8.string(Tag.PATIENT_NAME));
        DicomDataset latin1 = DicomParser.read(dir.resolve("chrFren.dcm"), false).dataset();
        assertEquals("Buc^Jérôme", latin1.string(Tag.PATIENT_NAME));
        DicomDataset russian = DicomParser.read(dir.resolve("chrRuss.dcm"), false).dataset();
        assertEquals("Люкceмбypг", russian.string(Tag.PATIENT_NAME));
    }

    // ---------------------------------------------------------------------------------------------- bad input

    private static String refusedOneLine(Path f) {
        ImageLoadException e = assertThrows(ImageLoadException.class, () -> ImageLoader.load(f));
        assertTrue(e.getMessage().startsWith(f.getFileName() + ": "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void truncatedFilesAndBadLengthsGiveOneSentence() throws Exception {
        byte[] good = Files.readAllBytes(TestData.shared().resolve("dicom/dcmjs_sample-op_Spectralis_IR.dcm"));
        for (int cut : new int[] {140, 400, good.length / 2, good.length - 10}) {
            Path f = Files.write(tmp.resolve("cut" + cut + ".dcm"), Arrays.copyOf(good, cut));
            String m = refusedOneLine(f);
            assertTrue(m.contains("truncated") || m.contains("damaged") || m.contains("cannot be decoded"), m);
        }
        // a huge declared length in the middle of the header: refused, never allocated
        byte[] huge = good.clone();
        int at = indexOf(huge, new byte[] {0x08, 0x00, 0x60, 0x00});   // (0008,0060) Modality
        assertTrue(at > 0);
        huge[at + 6] = (byte) 0xFF;
        huge[at + 7] = (byte) 0x7F;
        String m = refusedOneLine(Files.write(tmp.resolve("huge.dcm"), huge));
        assertTrue(m.contains("declares") || m.contains("damaged") || m.contains("truncated"), m);
        // a 4-byte length near 2 GB on the pixel data fragment
        byte[] frag = good.clone();
        int px = indexOf(frag, new byte[] {(byte) 0xFE, (byte) 0xFF, 0x00, (byte) 0xE0});
        frag[px + 4] = (byte) 0xF0;
        frag[px + 5] = (byte) 0xFF;
        frag[px + 6] = (byte) 0xFF;
        frag[px + 7] = (byte) 0x7F;
        assertTrue(refusedOneLine(Files.write(tmp.resolve("fragment.dcm"), frag)).contains("declares"));
        byte[] badVr = good.clone();
        badVr[at + 4] = '?';
        assertTrue(refusedOneLine(Files.write(tmp.resolve("badvr.dcm"), badVr)).contains("value representation"));
    }

    @Test
    void filesWithoutPixelsAndNonDicomFilesAreRefused() throws Exception {
        assumeTrue(Files.isDirectory(DicomPixelTest.PYDICOM), "skipped: python3-pydicom test files are not installed");
        assertTrue(refusedOneLine(DicomPixelTest.PYDICOM.resolve("rtplan.dcm")).contains("no pixel data"));
        Path text = Files.writeString(tmp.resolve("notes.dcm"), "DICM? no, just notes\n".repeat(20));
        refusedOneLine(text);
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /**
     * Random damage to real files (bytes flipped, lengths overwritten, cuts): the reader either reads them or refuses
     * them with a DicomException, within the time limit, and never with another exception or an OutOfMemoryError.
     */
    @Test
    void randomDamageNeverEscapesAsAnotherError() throws Exception {
        List<Path> seeds = new ArrayList<>(List.of(TestData.shared().resolve("dicom/dcmjs_sample-op_Spectralis_IR.dcm")));
        if (Files.isDirectory(DicomPixelTest.PYDICOM)) {
            for (String n : List.of("SC_rgb_rle.dcm", "MR_small_implicit.dcm", "ExplVR_BigEnd.dcm", "image_dfl.dcm",
                    "SC_rgb_jpeg_dcmtk.dcm", "JPEG2000.dcm", "SC_rgb_jpeg_gdcm.dcm", "rtstruct.dcm")) {
                seeds.add(DicomPixelTest.PYDICOM.resolve(n));
            }
        }
        Random rnd = new Random(20261122);
        long deadline = System.nanoTime() + 20_000_000_000L;
        int runs = 0;
        for (int round = 0; round < 400 && System.nanoTime() < deadline; round++) {
            byte[] b = Files.readAllBytes(seeds.get(round % seeds.size()));
            int kind = rnd.nextInt(3);
            if (kind == 0) {
                for (int k = 0; k < 1 + rnd.nextInt(8); k++) {
                    b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
                }
            } else if (kind == 1) {
                int at = rnd.nextInt(Math.max(1, b.length - 4));
                b[at] = (byte) 0xFF;
                b[at + 1] = (byte) 0xFF;
                b[at + 2] = (byte) rnd.nextInt(256);
                b[at + 3] = (byte) 0x7F;
            } else {
                b = Arrays.copyOf(b, rnd.nextInt(b.length));
            }
            Path f = Files.write(tmp.resolve("fuzz.dcm"), b);
            try {
                DicomFile df = DicomParser.read(f, true);
                if (df.hasPixels()) {
                    PixelDecoder.decode(df, 0);
                }
            } catch (DicomException expected) {
                assertNotNull(expected.getMessage());
                assertFalse(expected.getMessage().contains("\n"), expected.getMessage());
            }
            runs++;
        }
        assertTrue(runs >= 50, "ran " + runs);
        assertEquals("ok", new String("ok".getBytes(StandardCharsets.US_ASCII), StandardCharsets.US_ASCII));
    }
}
