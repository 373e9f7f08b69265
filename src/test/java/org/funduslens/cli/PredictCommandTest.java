package org.funduslens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.funduslens.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The predict contract of the README, on every real photograph. */
class PredictCommandTest {
    @TempDir
    Path tmp;

    public record Run(int code, String out, String err) {
        public List<JsonNode> lines() throws Exception {
            List<JsonNode> out = new ArrayList<>();
            for (String l : this.out.split("\n")) {
                if (!l.isBlank()) {
                    out.add(new ObjectMapper().readTree(l));
                }
            }
            return out;
        }
    }

    public static Run cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = FundusLensCli.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void everyPhotographGetsThreeDiagnosesAndAFullSizeHeatmap() throws Exception {
        List<Path> photos = TestData.fundusPhotographs();
        List<String> args = new ArrayList<>(List.of("predict", "--json", "--heatmap-dir", tmp.toString()));
        photos.forEach(p -> args.add(p.toString()));
        Run r = cli(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        List<JsonNode> lines = r.lines();
        assertEquals(photos.size(), lines.size(), "one JSON object per line per image");
        for (int i = 0; i < lines.size(); i++) {
            JsonNode o = lines.get(i);
            assertEquals(photos.get(i).toAbsolutePath().normalize().toString(), o.get("image").asText());
            assertTrue(o.get("bundle").get("demo").asBoolean());
            assertEquals("retfound-mae", o.get("bundle").get("backbone").asText());
            assertEquals(64, o.get("bundle").get("sha256").asText().length());
            assertEquals("funduslens-demo-tiny-vit", o.get("bundle").get("id").asText());
            assertEquals("DEMO \u2014 random weights, not a diagnosis", o.get("notice").asText());
            assertEquals("CPU", o.get("provider").asText());
            JsonNode preds = o.get("predictions");
            assertEquals(3, preds.size());
            double sum = 0;
            double last = 2;
            for (JsonNode p : preds) {
                double prob = p.get("probability").asDouble();
                assertTrue(prob > 0 && prob <= 1, "probability in (0, 1]: " + prob);
                assertTrue(prob <= last, "descending");
                assertFalse(p.get("label").asText().isBlank());
                last = prob;
                sum += prob;
            }
            assertTrue(sum <= 1 + 1e-9, "top-3 sum at most 1: " + sum);
            assertTrue(o.get("heatmaps").size() >= 1);
            BufferedImage src = ImageIO.read(photos.get(i).toFile());
            for (JsonNode h : o.get("heatmaps")) {
                Path png = Path.of(h.asText());
                assertTrue(png.startsWith(tmp), png.toString());
                BufferedImage map = ImageIO.read(png.toFile());
                assertEquals(src.getWidth(), map.getWidth(), png.toString());
                assertEquals(src.getHeight(), map.getHeight(), png.toString());
            }
            for (String stage : List.of("decode", "preprocess", "inference", "heatmap", "total")) {
                assertTrue(o.get("timings_ms").get(stage).asDouble() >= 0, stage);
            }
        }
    }

    @Test
    void badArgumentsExitWithTwo() {
        assertEquals(2, cli("predict", "--json").code(), "no image");
        assertEquals(2, cli("predict", "--top", "0", "x.jpg").code());
        assertEquals(2, cli("predict", "--no-such-option", "x.jpg").code());
    }

    @Test
    void anUnreadableImageExitsWithThreeAndTheOthersAreStillRead() throws Exception {
        Path bad = Files.writeString(tmp.resolve("broken.jpg"), "not a photograph");
        Path good = TestData.shared().resolve("fundus/hrf/07_h.jpg");
        Run r = cli("predict", "--json", "--heatmap-dir", tmp.toString(), bad.toString(), good.toString());
        assertEquals(3, r.code());
        assertEquals(1, r.lines().size());
        assertTrue(r.err().contains("broken.jpg"), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line per problem: " + r.err());
    }

    @Test
    void aBadBundleExitsWithFour() throws Exception {
        Path good = TestData.shared().resolve("fundus/hrf/07_h.jpg");
        Run r = cli("predict", "--json", "--model", tmp.resolve("missing").toString(), good.toString());
        assertEquals(4, r.code());
        assertTrue(r.err().contains("missing"), r.err());
    }

    @Test
    void selftestPasses() {
        Run r = cli("selftest");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("sqlite"), r.out());
        assertTrue(r.out().contains("onnxruntime"), r.out());
        assertTrue(r.out().contains("DEMO"), r.out());
    }

    @Test
    void verifyBundlePassesOnTheDemo() {
        Run r = cli("verify-bundle", TestData.demoBundle().toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("VERIFIED"), r.out());
        assertTrue(r.out().contains("provider  CPU"), r.out());
    }
}
