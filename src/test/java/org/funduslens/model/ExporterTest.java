package org.funduslens.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.funduslens.TestData;
import org.funduslens.image.FundusImage;
import org.funduslens.image.ImageLoader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every seed backbone's checkpoint layout (small random weights, official key names, nesting and prefixes) goes
 * through the Python exporter (Debian's torch 1.13, opset 17); ONNX Runtime in Java then reproduces PyTorch's
 * outputs, the bundle reads real photographs, and damaged checkpoints are refused naming the key.
 */
class ExporterTest {
    @TempDir
    static Path work;

    private static final List<JsonNode> JOBS = new ArrayList<>();

    @BeforeAll
    static void randomCheckpoints() throws Exception {
        TestData.assumePython("torch", "onnx", "numpy");
        Result r = python(script("make_random_checkpoints.py"), "--out", work.resolve("ckpt").toString());
        assertEquals(0, r.code(), r.log());
        for (String line : r.log().split("\n")) {
            if (line.startsWith("{")) {
                JOBS.add(new ObjectMapper().readTree(line));
            }
        }
        assertEquals(9, JOBS.size(), r.log());
    }

    record Result(int code, String log) {}

    private static Result python(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(TestData.systemPython().toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        return new Result(p.waitFor(), log);
    }

    private static String script(String name) {
        return TestData.projectDir().resolve("models/export").resolve(name).toString();
    }

    /** Runs export.py for a job (the jar is not built during tests, so Java verifies in-process instead). */
    private static Result export(JsonNode job, String checkpoint, Path out) throws Exception {
        List<String> a = new ArrayList<>(List.of(script("export.py"), "--no-verify", "--family", job.get("family").asText(),
                "--checkpoint", checkpoint, "--labels", job.get("labels").asText(), "--out", out.toString()));
        if (!job.get("head").isNull()) {
            a.addAll(List.of("--head", job.get("head").asText()));
        }
        if (!job.get("vocab").isNull()) {
            a.addAll(List.of("--vocab", job.get("vocab").asText()));
        }
        job.get("options").forEach(o -> a.add(o.asText()));
        return python(a.toArray(String[]::new));
    }

    private static String name(JsonNode job) {
        return job.get("family").asText() + " " + Path.of(job.get("checkpoint").asText()).getFileName();
    }

    /** Every shared photograph, decoded once for all bundles (empty where ../shared is absent). */
    private static List<FundusImage> photographs() throws Exception {
        List<FundusImage> out = new ArrayList<>();
        try {
            for (Path p : TestData.fundusPhotographs()) {
                out.add(ImageLoader.load(p));
            }
        } catch (org.opentest4j.TestAbortedException e) {
            return List.of();
        }
        return out;
    }

    @TestFactory
    Stream<DynamicTest> everyLayoutExportsVerifiesAndReadsPhotographs() throws Exception {
        List<FundusImage> images = photographs();
        return JOBS.stream().map(job -> DynamicTest.dynamicTest(name(job), () -> {
            Path out = work.resolve("bundles").resolve(Path.of(job.get("checkpoint").asText()).getFileName().toString());
            Result r = export(job, job.get("checkpoint").asText(), out);
            assertEquals(0, r.code(), r.log());
            ModelBundle b = ModelBundle.load(out);
            assertEquals(job.get("family").asText(), b.manifest().backbone().family());
            assertEquals(5, b.labels().size());
            try (InferenceSession s = InferenceSession.open(b, false)) {
                BundleVerifier.Result v = BundleVerifier.verify(s);
                assertTrue(v.passed(), name(job) + ": " + v.outputs());
                assertTrue(v.outputs().size() >= 3, "logits, attention and embedding are verified: " + v.outputs());
            }
            boolean exactPatchLogits = b.manifest().outputs().patchLogits() != null;
            String family = job.get("family").asText();
            boolean meanPooled = family.equals("dinov2") || (family.equals("retfound-mae") && job.get("options").isEmpty())
                    || (family.equals("retfound-mae") && job.get("options").toString().contains("fc-norm"));
            assertEquals(meanPooled, exactPatchLogits, "patch logits exactly where the head splits over patches");
            try (Analyzer a = Analyzer.open(out, false)) {
                for (FundusImage img : images) {
                    Reading reading = a.analyze(img, 3);
                    assertEquals(3, reading.top().size());
                    assertEquals(1.0, reading.prediction().ranked().stream().mapToDouble(Diagnosis::probability).sum(), 1e-9);
                    BufferedImage map = reading.heatmapFor(0).render(img.width(), img.height());
                    assertEquals(img.width(), map.getWidth());
                    assertEquals(img.height(), map.getHeight());
                }
            }
        }));
    }

    /** Copies a job's checkpoint with one key of block 1 removed, added to, or reshaped; returns the key touched. */
    private static String damaged(JsonNode job, String mode, Path dst) throws Exception {
        String code = String.join("\n",
                "import torch",
                "c = torch.load(" + py(job.get("checkpoint").asText()) + ")",
                "s = c['model'] if 'model' in c else c['teacher'] if 'teacher' in c else c",
                "k = [k for k in s if k.endswith('blocks.1.attn.proj.bias')][0]",
                "mode = " + py(mode),
                "if mode == 'missing': del s[k]",
                "elif mode == 'extra': k = k.replace('proj.bias', 'surplus'); s[k] = torch.zeros(1)",
                "else: s[k] = torch.zeros(3, 3)",
                "torch.save(c, " + py(dst.toString()) + ")");
        Result r = python("-c", code);
        assertEquals(0, r.code(), r.log());
        return mode.equals("extra") ? "blocks.1.attn.surplus" : "blocks.1.attn.proj.bias";
    }

    private static String py(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    @TestFactory
    Stream<DynamicTest> damagedCheckpointsAreRefusedNamingTheKey() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode job : JOBS) {
            for (String mode : List.of("missing", "extra", "misshaped")) {
                tests.add(DynamicTest.dynamicTest(name(job) + " " + mode, () -> {
                    Path ckpt = work.resolve("damaged-" + mode + ".pth");
                    String key = damaged(job, mode, ckpt);
                    Path out = work.resolve("refused");
                    Result r = export(job, ckpt.toString(), out);
                    assertEquals(2, r.code(), r.log());
                    assertTrue(r.log().contains(key), "names " + key + ": " + r.log());
                    assertFalse(r.log().contains("Traceback"), r.log());
                    assertTrue(Files.notExists(out), "nothing written");
                }));
            }
        }
        return tests.stream();
    }

    @Test
    void theExportersOwnUnitTestsPass() throws Exception {
        Result r = python("-m", "unittest", "discover", "-s", TestData.projectDir().resolve("models/export").toString(),
                "-p", "test_*.py");
        assertEquals(0, r.code(), r.log());
        assertTrue(r.log().contains("OK"), r.log());
    }

    @Test
    void theDemoExportIsReproducible() throws Exception {
        Path out = work.resolve("demo");
        Result r = python(script("make_demo.py"), "--no-verify", "--out", out.toString());
        assertEquals(0, r.code(), r.log());
        assertTrue(r.log().contains("mask_token"), "the unused MAE key is named: " + r.log());
        ModelBundle fresh = ModelBundle.load(out);
        ModelBundle shipped = ModelBundle.load(TestData.demoBundle());
        assertTrue(Files.size(fresh.modelFile()) < 2_000_000);
        float[] a = BundleVerifier.read(shipped, shipped.manifest().reference().outputs().get("logits"));
        float[] b = BundleVerifier.read(fresh, fresh.manifest().reference().outputs().get("logits"));
        assertEquals(a.length, b.length);
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i], b[i], 1e-6, "the shipped demo is what make_demo.py writes");
        }
    }

    @Test
    void aHeadThatDoesNotMatchTheLabelsIsRefused() throws Exception {
        JsonNode dinov2 = JOBS.stream().filter(j -> j.get("family").asText().equals("dinov2")).findFirst().orElseThrow();
        Path labels = Files.writeString(work.resolve("three.csv"), "code,name\nA,a\nB,b\nC,c\n");
        Result r = python(script("export.py"), "--no-verify", "--family", "dinov2", "--checkpoint",
                dinov2.get("checkpoint").asText(), "--head", dinov2.get("head").asText(), "--labels", labels.toString(),
                "--out", work.resolve("x").toString());
        assertEquals(2, r.code(), r.log());
        assertTrue(r.log().contains("5 classes") && r.log().contains("3"), r.log());
    }
}
