package org.funduslens.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.funduslens.TestData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Python exporter (Debian's torch 1.13, opset 17) and the Java runtime agree on the bundles it writes. */
class ExporterTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void needsTorch() throws Exception {
        TestData.assumePython("torch", "onnx", "numpy");
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

    @Test
    void theDemoExportsAndRunsWithPyTorchsNumbers() throws Exception {
        Path out = tmp.resolve("demo");
        Result r = python(script("make_demo.py"), "--out", out.toString());
        assertEquals(0, r.code(), r.log());
        assertTrue(r.log().contains("mask_token"), "the unused MAE key is named: " + r.log());
        ModelBundle b = ModelBundle.load(out);
        assertTrue(b.demo());
        assertTrue(Files.size(b.modelFile()) < 2_000_000);
        try (InferenceSession s = InferenceSession.open(b, false)) {
            BundleVerifier.Result v = BundleVerifier.verify(s);
            assertTrue(v.passed(), v.maxAbsDiff().toString());
        }
        // same seed, same weights: the shipped demo bundle gives the same logits as a fresh export
        float[] shipped = BundleVerifier.read(ModelBundle.load(TestData.demoBundle()),
                ModelBundle.load(TestData.demoBundle()).manifest().reference().outputs().get("logits"));
        float[] fresh = BundleVerifier.read(b, b.manifest().reference().outputs().get("logits"));
        assertEquals(shipped.length, fresh.length);
        for (int i = 0; i < shipped.length; i++) {
            assertEquals(shipped[i], fresh[i], 1e-6);
        }
    }

    /** Writes a demo-shaped checkpoint after applying a Python edit to its state dict {@code s} and checkpoint {@code c}. */
    private Path checkpoint(String edit) throws Exception {
        Path ckpt = tmp.resolve("edited.pth");
        String code = String.join("\n",
                "import sys, torch",
                "from argparse import Namespace",
                "sys.path.insert(0, " + pyString(TestData.projectDir().resolve("models/export").toString()) + ")",
                "import make_demo",
                "s = make_demo.demo_state(16)",
                "c = {'model': s, 'args': Namespace(model='vit_large_patch16')}",
                edit,
                "torch.save(c, " + pyString(ckpt.toString()) + ")");
        Result r = python("-c", code);
        assertEquals(0, r.code(), r.log());
        return ckpt;
    }

    private static String pyString(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    private Result export(Path ckpt) throws Exception {
        return python(script("export.py"), "--family", "retfound-mae", "--checkpoint", ckpt.toString(),
                "--labels", script("demo_labels.csv"), "--out", tmp.resolve("out").toString());
    }

    @Test
    void unexpectedAndMissingKeysAreListedAndRefused() throws Exception {
        Result extra = export(checkpoint("s['blocks.0.attn.extra'] = torch.zeros(1)"));
        assertEquals(2, extra.code(), extra.log());
        assertTrue(extra.log().contains("blocks.0.attn.extra"), extra.log());
        Result missing = export(checkpoint("del s['blocks.1.mlp.fc2.bias']"));
        assertEquals(2, missing.code(), missing.log());
        assertTrue(missing.log().contains("blocks.1.mlp.fc2.bias"), missing.log());
        assertTrue(Files.notExists(tmp.resolve("out")), "nothing is written for a refused checkpoint");
    }

    @Test
    void aHeadThatDoesNotMatchTheLabelsIsRefused() throws Exception {
        Result r = export(checkpoint("s['head.weight'] = s['head.weight'][:5]; s['head.bias'] = s['head.bias'][:5]"));
        assertEquals(2, r.code(), r.log());
        assertTrue(r.log().contains("5 classes"), r.log());
    }

    @Test
    void theNewCodeVariantAppliesFcNormTwice() throws Exception {
        Result r = export(checkpoint("c['args'] = Namespace(model='RETFound_mae')"));
        assertEquals(0, r.code(), r.log());
        ModelBundle b = ModelBundle.load(tmp.resolve("out"));
        assertEquals("patch-mean+fc_normx2", b.manifest().backbone().pooling());
        try (InferenceSession s = InferenceSession.open(b, false)) {
            assertTrue(BundleVerifier.verify(s).passed());
        }
    }
}
