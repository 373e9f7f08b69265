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
}
