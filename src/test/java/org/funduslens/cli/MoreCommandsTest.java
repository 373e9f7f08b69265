package org.funduslens.cli;

import static org.funduslens.cli.PredictCommandTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.funduslens.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** preprocess, --dump-outputs, --heatmaps, --labels, index and --similar, bench: the CLI additions' contracts. */
class MoreCommandsTest {
    @TempDir
    Path tmp;

    /** Reads a .npy header's shape and checks the payload length. */
    static int[] npyShape(Path f) throws Exception {
        byte[] b = Files.readAllBytes(f);
        assertEquals((byte) 0x93, b[0]);
        assertEquals("NUMPY", new String(b, 1, 5));
        int headerLen = (b[8] & 0xff) | (b[9] & 0xff) << 8;
        assertEquals(0, (10 + headerLen) % 64, "header aligned to 64 bytes");
        String header = new String(b, 10, headerLen);
        assertTrue(header.contains("'descr': '<f4'"), header);
        String dims = header.substring(header.indexOf("'shape': (") + 10, header.indexOf(")"));
        int[] shape = java.util.Arrays.stream(dims.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .mapToInt(Integer::parseInt).toArray();
        long count = java.util.Arrays.stream(shape).asLongStream().reduce(1, (x, y) -> x * y);
        assertEquals(10 + headerLen + count * 4, b.length);
        return shape;
    }

    @Test
    void preprocessWritesTheExactInputTensor() throws Exception {
        Path out = tmp.resolve("x.npy");
        var r = cli("preprocess", "--out", out.toString(), TestData.shared().resolve("fundus/hrf/01_h.jpg").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(java.util.Arrays.equals(new int[] {1, 3, 224, 224}, npyShape(out)));
        assertEquals(3, cli("preprocess", "--out", out.toString(), tmp.resolve("missing.jpg").toString()).code());
    }

    @Test
    void dumpOutputsWritesEveryOnnxOutput() throws Exception {
        Path dump = tmp.resolve("dump");
        var r = cli("predict", "--json", "--heatmap-dir", tmp.toString(), "--dump-outputs", dump.toString(),
                TestData.shared().resolve("fundus/hrf/01_h.jpg").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(java.util.Arrays.equals(new int[] {1, 16}, npyShape(dump.resolve("01_h.logits.npy"))));
        assertTrue(java.util.Arrays.equals(new int[] {1, 2, 196}, npyShape(dump.resolve("01_h.cls_attention.npy"))));
        assertTrue(java.util.Arrays.equals(new int[] {1, 196, 16}, npyShape(dump.resolve("01_h.patch_logits.npy"))));
        assertTrue(java.util.Arrays.equals(new int[] {1, 128}, npyShape(dump.resolve("01_h.embedding.npy"))));
    }

    @Test
    void allThreeHeatmapKindsPerDiagnosis() throws Exception {
        var r = cli("predict", "--json", "--heatmaps", "attention,class,occlusion", "--heatmap-dir", tmp.toString(),
                TestData.shared().resolve("fundus/cc0_wikimedia/napari_normal_right_600px.jpg").toString());
        assertEquals(0, r.code(), r.err());
        JsonNode o = r.lines().get(0);
        for (JsonNode p : o.get("predictions")) {
            JsonNode maps = p.get("heatmaps");
            assertEquals(List.of("class", "occlusion", "attention"), iterable(maps.fieldNames()));
            assertTrue(maps.get("class").asText().contains("patch-logits-" + p.get("code").asText().toLowerCase()));
            assertTrue(maps.get("occlusion").asText().contains("occlusion-"));
        }
        assertEquals(7, o.get("heatmaps").size(), "3 class maps, 3 occlusion maps and one attention map");
        assertTrue(o.get("heatmap_methods").get("occlusion").asText().contains("greyed out"));
        assertTrue(o.get("timings_ms").get("occlusion").asDouble() > 0);
        assertEquals(2, cli("predict", "--heatmaps", "gradcam", "x.jpg").code());
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    @Test
    void aLabelSubsetRenormalisesOverTheChosenLabels() throws Exception {
        var r = cli("predict", "--json", "--labels", "NORMAL,GLC,DR2", "--heatmaps", "none", "--heatmap-dir", tmp.toString(),
                TestData.shared().resolve("fundus/hrf/07_h.jpg").toString());
        assertEquals(0, r.code(), r.err());
        JsonNode preds = r.lines().get(0).get("predictions");
        assertEquals(3, preds.size());
        double sum = 0;
        for (JsonNode p : preds) {
            assertTrue(List.of("NORMAL", "GLC", "DR2").contains(p.get("code").asText()));
            sum += p.get("probability").asDouble();
        }
        assertEquals(1.0, sum, 1e-9, "the three chosen labels share all the probability");
        var bad = cli("predict", "--labels", "NORMAL,NOPE", TestData.shared().resolve("fundus/hrf/07_h.jpg").toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("NOPE"), bad.err());
    }

    @Test
    void indexAndSimilarCases() throws Exception {
        Path data = TestData.shared().resolve("fundus");
        Path refs = tmp.resolve("refs");
        for (String[] e : new String[][] {{"normal", "cc0_wikimedia/skimage_retina_normal_left.jpg"},
                {"normal", "hrf/01_h.jpg"}, {"dr", "jsiec/fundus_dr_mild.jpg"}, {"dr", "idrid/IDRiD_14.jpg"},
                {"child", "chase_db1/Image_05R.jpg"}}) {
            Path dst = refs.resolve(e[0]).resolve(Path.of(e[1]).getFileName().toString());
            Files.createDirectories(dst.getParent());
            Files.copy(data.resolve(e[1]), dst);
        }
        Files.writeString(refs.resolve("dr").resolve("broken.jpg"), "not an image");
        var r = cli("index", refs.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("indexed 5 new"), r.out());
        assertTrue(r.err().contains("broken.jpg"), r.err());
        var again = cli("index", refs.toString());
        assertTrue(again.out().contains("0 new, 5 unchanged"), again.out());

        var p = cli("predict", "--json", "--similar", "3", "--heatmaps", "none", "--heatmap-dir", tmp.toString(),
                refs.resolve("dr").resolve("fundus_dr_mild.jpg").toString());
        assertEquals(0, p.code(), p.err());
        JsonNode similar = p.lines().get(0).get("similar");
        assertEquals(3, similar.size());
        assertTrue(similar.get(0).get("path").asText().endsWith("fundus_dr_mild.jpg"), similar.toString());
        assertEquals("dr", similar.get(0).get("label").asText());
        assertEquals(1.0, similar.get(0).get("similarity").asDouble(), 1e-3, "an indexed image is most similar to itself");
        assertTrue(similar.get(1).get("similarity").asDouble() <= similar.get(0).get("similarity").asDouble());
    }

    @Test
    void aFolderIsReadInBatchesInOrder() throws Exception {
        Path folder = TestData.shared().resolve("fundus/hrf");
        var r = cli("predict", "--json", "--batch", "2", "--heatmaps", "none", "--heatmap-dir", tmp.toString(), folder.toString());
        assertEquals(0, r.code(), r.err());
        var lines = r.lines();
        assertEquals(List.of("01_h.jpg", "07_h.jpg", "13_h.jpg"),
                lines.stream().map(l -> Path.of(l.get("image").asText()).getFileName().toString()).toList());
        // the same image gives the same numbers whether it ran alone or in a batch
        var alone = cli("predict", "--json", "--heatmaps", "none", "--heatmap-dir", tmp.toString(),
                folder.resolve("07_h.jpg").toString()).lines().get(0);
        assertEquals(alone.get("predictions").get(0).get("probability").asDouble(),
                lines.get(1).get("predictions").get(0).get("probability").asDouble(), 1e-6);
    }

    @Test
    void benchPrintsTheFigures() throws Exception {
        var r = cli("bench", "--runs", "2", "--warmup", "1", "--json", TestData.shared().resolve("fundus/hrf/01_h.jpg").toString());
        assertEquals(0, r.code(), r.err());
        JsonNode o = r.lines().get(0);
        for (String k : List.of("read_ms", "bare_inference_ms", "load_ms", "second_load_ms")) {
            assertTrue(o.get(k).asDouble() > 0, k + " in " + o);
        }
        for (String k : List.of("decode", "preprocess", "inference", "heatmap", "total")) {
            assertTrue(o.get("stages_ms").has(k), k);
        }
    }
}
