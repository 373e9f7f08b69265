package org.funduslens.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.List;
import org.funduslens.TestData;
import org.funduslens.image.FundusImage;
import org.funduslens.image.ImageLoader;
import org.junit.jupiter.api.Test;

class InferenceTest {
    @Test
    void onnxRuntimeMatchesThePyTorchReferenceAtBatchTwo() throws Exception {
        ModelBundle b = ModelBundle.load(TestData.demoBundle());
        try (InferenceSession s = InferenceSession.open(b, true)) {
            assertEquals(ExecutionProvider.CPU, s.provider(), "no GPU provider in the CPU build of ONNX Runtime");
            BundleVerifier.Result r = BundleVerifier.verify(s);
            assertEquals(2, r.batch(), "the reference batch exercises the dynamic batch axis");
            assertTrue(r.passed(), "max differences " + r.maxAbsDiff());
            assertTrue(r.maxAbsDiff().get("logits") < 1e-5, r.maxAbsDiff().toString());
        }
    }

    @Test
    void aRealPhotographGivesAProperDistributionAndAHeatmapOverTheCrop() throws Exception {
        FundusImage img = ImageLoader.load(TestData.shared().resolve("fundus/hrf/01_h.jpg"));
        try (Analyzer a = Analyzer.open(TestData.demoBundle(), true)) {
            Reading r = a.analyze(img, 3);
            double sum = r.prediction().ranked().stream().mapToDouble(Diagnosis::probability).sum();
            assertEquals(1.0, sum, 1e-9);
            List<Diagnosis> top = r.top();
            assertEquals(3, top.size());
            assertTrue(top.get(0).probability() >= top.get(1).probability());
            assertTrue(top.get(1).probability() >= top.get(2).probability());
            assertEquals(3, r.heatmaps().size());
            Heatmap h = r.heatmapFor(0);
            assertEquals(Heatmap.PATCH_LOGITS, h.kind(), "the demo's mean-pooled head gives exact per-class maps");
            assertEquals(top.get(0).code(), h.label());
            assertTrue(r.heatmapFor(1) != h, "one map per diagnosis");
            assertTrue(r.attention().classAgnostic());
            assertEquals(14, h.gridWidth());
            assertEquals(128, r.embedding().length);
            BufferedImage png = h.render(img.width(), img.height());
            assertEquals(img.width(), png.getWidth());
            assertEquals(img.height(), png.getHeight());
            // 1051x701: the 224 crop of the 384x256 resize covers x 233..817 of the source, the full height
            assertEquals(0, png.getRGB(100, 350) >>> 24, "outside the crop: transparent");
            assertEquals(255, png.getRGB(525, 350) >>> 24, "inside the crop: opaque");
            for (String stage : List.of("decode", "preprocess", "inference", "heatmap", "total")) {
                assertNotNull(r.timingsMs().get(stage), stage);
            }
        }
    }

    @Test
    void softmaxIsStableForLargeLogits() {
        var labels = List.of(new BundleManifest.Label("A", "a"), new BundleManifest.Label("B", "b"),
                new BundleManifest.Label("C", "c"));
        Prediction p = Prediction.fromLogits(new float[] {1000f, 999f, -1000f}, 0, labels);
        assertEquals("A", p.first().code());
        assertEquals(1 / (1 + Math.exp(-1)), p.first().probability(), 1e-12);
        assertTrue(p.ranked().get(2).probability() >= 0);
    }

    @Test
    void patchLogitMapsReadTheirOwnClass() {
        // 4 patches x 3 classes; class 1's column is 0, 2, 4, 6
        float[] pl = {9, 0, 1, 9, 2, 1, 9, 4, 1, 9, 6, 1};
        Heatmap h = Heatmap.fromPatchLogits(pl, 0, 4, 3, 1, "B", new CropRegion(0, 0, 2, 2));
        assertEquals("B", h.label());
        assertEquals(0f, h.values()[0], 1e-6);
        assertEquals(1 / 3f, h.values()[1], 1e-6);
        assertEquals(1f, h.values()[3], 1e-6);
    }

    @Test
    void attentionGridIsTheMeanOverHeadsScaledToOne() {
        float[] attn = new float[2 * 4];
        attn[0] = 0.4f; attn[1] = 0.2f; attn[2] = 0.2f; attn[3] = 0.2f;   // head 0
        attn[4] = 0.1f; attn[5] = 0.1f; attn[6] = 0.1f; attn[7] = 0.7f;   // head 1
        Heatmap h = Heatmap.fromClsAttention(attn, 0, 2, 4, new CropRegion(0, 0, 2, 2));
        assertEquals(2, h.gridWidth());
        // means 0.25, 0.15, 0.15, 0.45 -> scaled (x - 0.15) / 0.30
        assertEquals(1 / 3f, h.values()[0], 1e-6);
        assertEquals(0f, h.values()[1], 1e-6);
        assertEquals(1f, h.values()[3], 1e-6);
    }
}
