package org.funduslens.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.funduslens.TestData;
import org.funduslens.image.FundusImage;
import org.funduslens.image.ImageLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java preprocessing against Pillow and PyTorch on the same decoded pixels: every real photograph, the
 * RETFound/DINOv2 recipe (shorter side 256 bicubic, centre crop 224) and the RetiZero one (224x224 bilinear).
 */
class PreprocessorTest {
    private static final List<Double> MEAN = List.of(0.485, 0.456, 0.406);
    private static final List<Double> STD = List.of(0.229, 0.224, 0.225);

    @TempDir
    Path tmp;

    static BundleManifest.InputRecipe retfound() {
        return new BundleManifest.InputRecipe(224, new BundleManifest.Resize("shorter-side", 256, "bicubic"),
                new BundleManifest.Crop("center", 224), 1 / 255.0, MEAN, STD);
    }

    static BundleManifest.InputRecipe retizero() {
        return new BundleManifest.InputRecipe(224, new BundleManifest.Resize("square", 224, "bilinear"),
                new BundleManifest.Crop("none", 224), 1 / 255.0, MEAN, STD);
    }

    @Test
    void matchesPillowAndTorchOnEveryPhotograph() throws Exception {
        TestData.assumePython("PIL", "numpy");
        List<Path> photos = TestData.fundusPhotographs();
        StringBuilder report = new StringBuilder();
        for (Path p : photos) {
            FundusImage img = ImageLoader.load(p);
            for (BundleManifest.InputRecipe recipe : List.of(retfound(), retizero())) {
                Preprocessor pre = new Preprocessor(recipe);
                Preprocessor.Cropped mine = pre.resizeAndCrop(img);
                Path prefix = reference(img, recipe);
                byte[] pil = Files.readAllBytes(Path.of(prefix + ".rgb"));
                assertEquals(pil.length, mine.rgb().length, p.toString());
                int differ = 0;
                int worst = 0;
                for (int i = 0; i < pil.length; i++) {
                    int d = Math.abs((pil[i] & 0xff) - (mine.rgb()[i] & 0xff));
                    differ += d > 0 ? 1 : 0;
                    worst = Math.max(worst, d);
                }
                report.append(String.format(Locale.ROOT, "%s %s: %d of %d samples differ, worst %d%n",
                        p.getFileName(), recipe.resize().interpolation(), differ, pil.length, worst));
                // same integer arithmetic as Pillow: identical, not merely close
                assertEquals(0, worst, p + " " + recipe.resize() + "\n" + report);

                float[] tensor = pre.preprocess(img).chw();
                float[] torch = readF32(Path.of(prefix + ".f32"));
                assertEquals(torch.length, tensor.length);
                double max = 0;
                for (int i = 0; i < torch.length; i++) {
                    max = Math.max(max, Math.abs(torch[i] - tensor[i]));
                }
                assertTrue(max <= 1e-5, p + ": tensor differs from PyTorch by " + max);
            }
        }
        System.out.print(report);
    }

    private Path reference(FundusImage img, BundleManifest.InputRecipe r) throws IOException, InterruptedException {
        Path raw = tmp.resolve("in.rgb");
        Files.write(raw, img.rgb());
        Path out = tmp.resolve("ref-" + r.resize().interpolation());
        Process p = new ProcessBuilder(TestData.systemPython().toString(),
                TestData.projectDir().resolve("src/test/python/pil_reference.py").toString(), raw.toString(),
                Integer.toString(img.width()), Integer.toString(img.height()), r.resize().mode(),
                Integer.toString(r.resize().size()), r.resize().interpolation(),
                Integer.toString("center".equals(r.crop().mode()) ? r.crop().size() : 0), out.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), log);
        return out;
    }

    private static float[] readF32(Path f) throws IOException {
        byte[] b = Files.readAllBytes(f);
        float[] v = new float[b.length / 4];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }

    @Test
    void resizedSizeFollowsTorchvision() {
        BundleManifest.Resize r = new BundleManifest.Resize("shorter-side", 256, "bicubic");
        assertEquals(List.of(383, 256), List.of(Preprocessor.resizedSize(1051, 701, r)[0], Preprocessor.resizedSize(1051, 701, r)[1]));
        assertEquals(List.of(256, 266), List.of(Preprocessor.resizedSize(999, 1040, r)[0], Preprocessor.resizedSize(999, 1040, r)[1]));
        assertEquals(256, Preprocessor.resizedSize(1411, 1411, r)[0]);
    }

    @Test
    void centreCropRoundsHalvesToEven() {
        assertEquals(0, Preprocessor.roundHalfEven(0.5));
        assertEquals(2, Preprocessor.roundHalfEven(1.5));
        assertEquals(2, Preprocessor.roundHalfEven(2.5));
        assertEquals(80, Preprocessor.roundHalfEven(79.5));
    }

    @Test
    void cropRegionMapsBackToTheSource() {
        FundusImage img = new FundusImage(null, "grey", 1000, 500, new byte[1000 * 500 * 3], 8, false,
                org.funduslens.image.Eye.UNKNOWN);
        Preprocessor.Tensor t = new Preprocessor(retfound()).preprocess(img);
        // 1000x500 -> 512x256 -> crop 224 at (144, 16): in source pixels x 281.25, y 31.25, side 437.5
        assertEquals(281.25, t.region().x(), 1e-9);
        assertEquals(31.25, t.region().y(), 1e-9);
        assertEquals(437.5, t.region().width(), 1e-9);
        assertEquals(437.5, t.region().height(), 1e-9);
    }
}
