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

    /** One reference job for pil_reference.py. */
    private record Job(Path photo, FundusImage img, BundleManifest.InputRecipe recipe, boolean pilDecodes, Path out) {}

    /**
     * Every photograph, both recipes, twice: once with Pillow decoding the file itself (the whole upstream path;
     * the bound is at most 1 grey level on 99.9 % of samples and never more than 2), once on the pixels
     * Java decoded (the resampler alone, which must be identical). The tensors must match PyTorch to 1e-5.
     */
    @Test
    void matchesPillowAndTorchOnEveryPhotograph() throws Exception {
        TestData.assumePython("PIL", "numpy");
        List<Job> jobs = new java.util.ArrayList<>();
        StringBuilder input = new StringBuilder();
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        for (Path p : TestData.fundusPhotographs()) {
            FundusImage img = ImageLoader.load(p);
            Path raw = tmp.resolve(jobs.size() + ".raw");
            Files.write(raw, img.rgb());
            for (BundleManifest.InputRecipe recipe : List.of(retfound(), retizero())) {
                for (boolean pilDecodes : List.of(true, false)) {
                    Job job = new Job(p, img, recipe, pilDecodes, tmp.resolve("ref" + jobs.size()));
                    jobs.add(job);
                    var o = json.createObjectNode();
                    o.put("source", pilDecodes ? p.toString() : null);
                    o.put("raw", pilDecodes ? null : raw.toString());
                    o.put("width", img.width());
                    o.put("height", img.height());
                    o.put("mode", recipe.resize().mode());
                    o.put("size", recipe.resize().size());
                    o.put("interp", recipe.resize().interpolation());
                    o.put("crop", "center".equals(recipe.crop().mode()) ? recipe.crop().size() : 0);
                    o.put("out", job.out().toString());
                    input.append(json.writeValueAsString(o)).append('\n');
                }
            }
        }
        Process proc = new ProcessBuilder(TestData.systemPython().toString(),
                TestData.projectDir().resolve("src/test/python/pil_reference.py").toString()).redirectErrorStream(true).start();
        try (var w = proc.getOutputStream()) {
            w.write(input.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        String log = new String(proc.getInputStream().readAllBytes());
        assertEquals(0, proc.waitFor(), log);

        StringBuilder report = new StringBuilder();
        for (Job job : jobs) {
            Preprocessor pre = new Preprocessor(job.recipe());
            Preprocessor.Cropped mine = pre.resizeAndCrop(job.img());
            byte[] pil = Files.readAllBytes(Path.of(job.out() + ".rgb"));
            assertEquals(pil.length, mine.rgb().length, job.toString());
            int offByOne = 0;
            int worst = 0;
            int differ = 0;
            for (int i = 0; i < pil.length; i++) {
                int d = Math.abs((pil[i] & 0xff) - (mine.rgb()[i] & 0xff));
                differ += d > 0 ? 1 : 0;
                offByOne += d > 1 ? 1 : 0;
                worst = Math.max(worst, d);
            }
            String what = job.photo().getFileName() + " " + job.recipe().resize().interpolation()
                    + (job.pilDecodes() ? " (Pillow decodes)" : " (same pixels)");
            report.append(String.format(Locale.ROOT, "%-60s %d of %d samples differ, worst %d%n", what, differ, pil.length, worst));
            assertTrue(worst <= 2, what + ": a sample differs by " + worst);
            assertTrue(offByOne <= pil.length / 1000, what + ": " + offByOne + " samples differ by more than 1");
            if (!job.pilDecodes()) {
                // the same fixed-point arithmetic as Pillow: identical, not merely close
                assertEquals(0, worst, what);
            }
            float[] tensor = pre.preprocess(job.img()).chw();
            float[] torch = readF32(Path.of(job.out() + ".f32"));
            double max = 0;
            if (worst == 0) {
                for (int i = 0; i < torch.length; i++) {
                    max = Math.max(max, Math.abs(torch[i] - tensor[i]));
                }
                assertTrue(max <= 1e-5, what + ": tensor differs from PyTorch by " + max);
            }
        }
        System.out.print(report);
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
