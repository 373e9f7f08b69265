package org.funduslens;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.funduslens.model.BundleLocator;

/** Where the tests find the shared real data and the shipped bundles. */
public final class TestData {
    private TestData() {}

    /** ../shared beside the checkout (surefire passes it); tests that need it skip, saying why, where it is absent. */
    public static Path shared() {
        Path p = Path.of(System.getProperty("funduslens.shared.dir", "../shared")).toAbsolutePath().normalize();
        assumeTrue(Files.isDirectory(p.resolve("data")),
                "skipped: the shared real data folder " + p.resolve("data") + " is absent (it sits beside the checkout in CI)");
        return p.resolve("data");
    }

    /** Every colour fundus photograph in shared/data/fundus (vessel masks excluded), sorted. */
    public static List<Path> fundusPhotographs() throws IOException {
        try (Stream<Path> s = Files.walk(shared().resolve("fundus"))) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> {
                        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                        return (n.endsWith(".jpg") || n.endsWith(".png")) && !n.contains("_1stho");
                    })
                    .sorted()
                    .toList();
        }
    }

    public static Path demoBundle() {
        return BundleLocator.demoBundle();
    }

    /** Debian's system Python, which has python3-torch; another python3 may be first on PATH. */
    public static Path systemPython() {
        return Path.of("/usr/bin/python3");
    }

    /** Skips unless the system Python can import every module named. */
    public static void assumePython(String... modules) throws IOException, InterruptedException {
        Path py = systemPython();
        assumeTrue(Files.isExecutable(py), "skipped: " + py + " is absent");
        String code = "import " + String.join(", ", modules);
        Process p = new ProcessBuilder(py.toString(), "-c", code).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assumeTrue(p.waitFor() == 0, "skipped: " + py + " cannot import " + String.join(", ", modules)
                + " (apt-get install python3-torch python3-onnx python3-pil): " + out.strip());
    }

    public static Path projectDir() {
        return Path.of("").toAbsolutePath();
    }

    static void run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        org.junit.jupiter.api.Assertions.assertEquals(0, p.waitFor(), String.join(" ", cmd) + "\n" + log);
    }

    /** dcmtk's img2dcm wraps a real camera JPEG as Ophthalmic Photography (or VL Photographic) without re-encoding. */
    public static Path ophthalmicDicom(Path dir, Path jpeg, String name, String option, String laterality) throws Exception {
        Path out = dir.resolve(name);
        run(dir, "img2dcm", option, jpeg.toString(), out.toString(), "-k", "PatientName=TEST^FUNDUS", "-k", "PatientID=SYNTH001",
                "-k", "StudyDate=20240101", "-k", "Manufacturer=SyntheticCam", "-k", "ManufacturerModelName=SC-1",
                "-k", "ImageLaterality=" + laterality, "-k", "InstanceNumber=1",
                "-k", "AcquisitionDeviceTypeCodeSequence[0].CodeValue=409898007",
                "-k", "AcquisitionDeviceTypeCodeSequence[0].CodingSchemeDesignator=SCT",
                "-k", "AcquisitionDeviceTypeCodeSequence[0].CodeMeaning=Fundus Camera",
                "-k", "AnatomicRegionSequence[0].CodeValue=5665001", "-k", "AnatomicRegionSequence[0].CodingSchemeDesignator=SCT",
                "-k", "AnatomicRegionSequence[0].CodeMeaning=Retina", "-k", "HorizontalFieldOfView=45",
                "-k", "PixelSpacing=0.01\\0.01");
        return out;
    }

    /**
     * A synthetic OCT volume (Ophthalmic Tomography, 7 B-scans of 384x512, left eye) made with pydicom and numpy:
     * layered bands over a foveal pit that deepens towards the middle scan, with speckle. Skips without pydicom.
     */
    public static Path syntheticOct(Path dir, String name) throws IOException, InterruptedException {
        assumePython("pydicom", "numpy");
        Path out = dir.resolve(name);
        String code = String.join("\n",
                "import numpy as np, pydicom",
                "from pydicom.dataset import Dataset, FileMetaDataset",
                "from pydicom.uid import ExplicitVRLittleEndian, generate_uid",
                "F, H, W = 7, 384, 512",
                "rng = np.random.default_rng(3); x = np.arange(W); vol = np.zeros((F, H, W), np.float32)",
                "bands = [(0, 6, 230), (6, 30, 120), (36, 14, 170), (50, 22, 90), (72, 18, 150), (90, 8, 60), (98, 10, 240), (108, 34, 140)]",
                "for f in range(F):",
                "    pit = 45 * np.exp(-((x - W / 2) / 55.0) ** 2) * (1 - abs(f - 3) / 4.0)",
                "    top = 110 + pit + 12 * np.sin(x / 90.0)",
                "    for off, thick, val in bands:",
                "        for c in range(W):",
                "            a = int(top[c] + off); vol[f, a:a + thick, c] = val",
                "vol = np.clip(vol + rng.normal(0, 22, vol.shape), 0, 255).astype(np.uint8)",
                "m = FileMetaDataset(); m.MediaStorageSOPClassUID = '1.2.840.10008.5.1.4.1.1.77.1.5.4'",
                "m.MediaStorageSOPInstanceUID = generate_uid(); m.TransferSyntaxUID = ExplicitVRLittleEndian",
                "d = Dataset(); d.file_meta = m; d.SOPClassUID = m.MediaStorageSOPClassUID; d.SOPInstanceUID = m.MediaStorageSOPInstanceUID",
                "d.StudyInstanceUID = generate_uid(); d.SeriesInstanceUID = generate_uid(); d.PatientName = 'SYNTHETIC^OCT'",
                "d.PatientID = 'SYNTH-OCT'; d.Modality = 'OPT'; d.ImageLaterality = 'L'",
                "d.Rows = H; d.Columns = W; d.NumberOfFrames = F; d.SamplesPerPixel = 1; d.PhotometricInterpretation = 'MONOCHROME2'",
                "d.BitsAllocated = 8; d.BitsStored = 8; d.HighBit = 7; d.PixelRepresentation = 0",
                "d.PixelData = vol.tobytes(); d.is_little_endian = True; d.is_implicit_VR = False",
                "d.save_as('" + out + "', write_like_original=False)");
        Process p = new ProcessBuilder(systemPython().toString(), "-c", code).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException("the synthetic OCT could not be made: " + log);
        }
        return out;
    }
}
