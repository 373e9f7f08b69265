package org.funduslens.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import org.funduslens.image.ImageLoadException;
import org.funduslens.image.ImageLoader;
import org.funduslens.model.Analyzer;
import org.funduslens.model.BundleException;
import org.funduslens.model.Diagnosis;
import org.funduslens.model.Heatmap;
import org.funduslens.model.InferenceException;
import org.funduslens.model.ModelBundle;
import org.funduslens.model.Npy;
import org.funduslens.model.Reading;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code predict}: one JSON object per line per image (with --json), heatmaps as PNG files the size of the image. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Rank the bundle's diagnoses for each image and write a heatmap per diagnosis.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every image analysed", "2:bad arguments", "3:an image could not be read",
                "4:the model bundle is missing, damaged or invalid", "1:inference failed"})
public final class PredictCommand implements Callable<Integer> {
    static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Mixin
    ModelOptions modelOptions;

    @Option(names = "--top", paramLabel = "K", defaultValue = "3", description = "How many diagnoses to report (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--heatmap-dir", paramLabel = "DIR",
            description = "Where heatmap PNGs go (default: funduslens-heatmaps in the system temporary folder).")
    Path heatmapDir;

    @Option(names = "--json", description = "Print one JSON object per line per image.")
    boolean json;

    @Option(names = "--heatmaps", paramLabel = "KINDS", split = ",", defaultValue = "attention,class",
            description = "Which maps to write: attention, class (patch logits, where the bundle has them), "
                    + "occlusion (slow: one run per patch). Default: ${DEFAULT-VALUE}.")
    List<String> heatmapKinds;

    @Option(names = "--labels", paramLabel = "CODES", split = ",",
            description = "Score only these label codes (at least two); probabilities are recomputed over them. "
                    + "Meant for zero-shot bundles.")
    List<String> labelSubset;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "4",
            description = "Images per ONNX Runtime run; decoding of the next images overlaps inference (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--similar", paramLabel = "K", defaultValue = "0",
            description = "Also list the K most similar indexed reference images (see the index command).")
    int similar;

    @Option(names = "--dump-outputs", paramLabel = "DIR",
            description = "Also write every ONNX output as float32 .npy (<image>.<output>.npy).")
    Path dumpDir;

    @Parameters(paramLabel = "IMAGE", arity = "1..*", description = "JPEG, PNG or TIFF files, or folders of them.")
    List<Path> images;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (top < 1) {
            err.println("predict: --top must be at least 1, not " + top + ".");
            return ExitCodes.BAD_ARGUMENTS;
        }
        for (String k : heatmapKinds) {
            if (!List.of("attention", "class", "occlusion", "none").contains(k)) {
                err.println("predict: --heatmaps takes attention, class, occlusion or none, not '" + k + "'.");
                return ExitCodes.BAD_ARGUMENTS;
            }
        }
        Path bundleDir = modelOptions.bundleDir();
        Path maps = (heatmapDir != null ? heatmapDir : Path.of(System.getProperty("java.io.tmpdir"), "funduslens-heatmaps"))
                .toAbsolutePath().normalize();
        try {
            Files.createDirectories(maps);
        } catch (IOException e) {
            err.println("predict: " + maps + ": cannot create the heatmap folder (" + e.getMessage() + ").");
            return ExitCodes.BAD_ARGUMENTS;
        }
        try {
            if (dumpDir != null) {
                Files.createDirectories(dumpDir);
            }
        } catch (IOException e) {
            err.println("predict: " + dumpDir + ": cannot create the output folder (" + e.getMessage() + ").");
            return ExitCodes.BAD_ARGUMENTS;
        }
        if (batch < 1) {
            err.println("predict: --batch must be at least 1, not " + batch + ".");
            return ExitCodes.BAD_ARGUMENTS;
        }
        int code = ExitCodes.OK;
        org.funduslens.study.SimilarCaseIndex index = null;
        try (Analyzer analyzer = Analyzer.open(bundleDir, modelOptions.preferGpu())) {
            try {
                analyzer.restrictLabels(labelSubset);
            } catch (IllegalArgumentException e) {
                err.println("predict: --labels: " + e.getMessage() + ".");
                return ExitCodes.BAD_ARGUMENTS;
            }
            if (similar > 0) {
                try {
                    index = org.funduslens.study.SimilarCaseIndex.openDefault();
                } catch (org.funduslens.study.SimilarCaseException e) {
                    err.println("predict: " + e.getMessage());
                    return ExitCodes.FAILED;
                }
                if (index.size(analyzer.bundle().sha256()) == 0) {
                    err.println("predict: no reference images are indexed for " + analyzer.bundle().id()
                            + "; run the index command first.");
                }
            }
            if (analyzer.providerNotice() != null) {
                err.println("predict: " + analyzer.providerNotice());
            }
            Map<String, Integer> stems = new HashMap<>();
            List<Path> inputs = expand(images, err);
            if (inputs.isEmpty()) {
                err.println("predict: no JPEG, PNG or TIFF files found in " + images + ".");
                return ExitCodes.UNREADABLE_INPUT;
            }
            Pipeline pipeline = new Pipeline(analyzer, inputs, batch);
            for (Pipeline.Item item; (item = pipeline.next(top)) != null; ) {
                if (item.error() != null) {
                    err.println("predict: " + item.error());
                    code = ExitCodes.UNREADABLE_INPUT;
                    continue;
                }
                Reading r = item.reading();
                Path image = item.file();
                long occStart = System.nanoTime();
                List<Heatmap> occlusion = heatmapKinds.contains("occlusion")
                        ? analyzer.occlusion(r, f -> { }, () -> false) : List.of();
                double occlusionMs = (System.nanoTime() - occStart) / 1e6;
                long t0 = System.nanoTime();
                Maps files = writeHeatmaps(r, occlusion, maps, image, stems, heatmapKinds);
                double writeMs = (System.nanoTime() - t0) / 1e6;
                if (dumpDir != null) {
                    String stem = files.stem();
                    for (var e : r.outputs().byName().entrySet()) {
                        Npy.write(dumpDir.resolve(stem + "." + e.getKey() + ".npy"), e.getValue().data(), e.getValue().shape());
                    }
                }
                if (json) {
                    ObjectNode line = toJson(r, files, writeMs);
                    if (!occlusion.isEmpty()) {
                        ((ObjectNode) line.get("timings_ms")).put("occlusion", round(occlusionMs));
                    }
                    if (index != null && r.embedding() != null) {
                        ArrayNode sim = line.putArray("similar");
                        for (var m : index.nearest(analyzer.bundle().sha256(), r.embedding(), similar)) {
                            ObjectNode s = sim.addObject();
                            s.put("path", m.path().toString());
                            s.put("label", m.label());
                            s.put("similarity", Math.round(m.similarity() * 10000) / 10000.0);
                        }
                    }
                    out.println(JSON.writeValueAsString(line));
                } else {
                    printText(out, r, files);
                }
                out.flush();
            }
        } catch (BundleException e) {
            err.println("predict: " + e.getMessage());
            return ExitCodes.BAD_BUNDLE;
        } catch (InferenceException e) {
            err.println("predict: " + e.getMessage());
            return ExitCodes.FAILED;
        } catch (IOException e) {
            err.println("predict: cannot write output (" + e.getMessage() + ").");
            return ExitCodes.FAILED;
        } catch (org.funduslens.study.SimilarCaseException e) {
            err.println("predict: " + e.getMessage());
            return ExitCodes.FAILED;
        } finally {
            if (index != null) {
                index.close();
            }
        }
        return code;
    }

    /** Files as given; folders become their image files (recursively, sorted). Missing paths stay, to be reported. */
    static List<Path> expand(List<Path> args, PrintWriter err) {
        List<Path> out = new java.util.ArrayList<>();
        for (Path p : args) {
            if (Files.isDirectory(p)) {
                try (var s = Files.walk(p)) {
                    s.filter(Files::isRegularFile).filter(ImageLoader::isPhotographName).sorted().forEach(out::add);
                } catch (IOException e) {
                    err.println("predict: " + p + ": the folder cannot be read (" + e.getMessage() + ").");
                }
            } else {
                out.add(p);
            }
        }
        return out;
    }

    /**
     * Decodes and preprocesses ahead on worker threads while the network runs the current batch, and hands back
     * readings (or one-line errors) in the input order.
     */
    static final class Pipeline {
        record Item(Path file, Reading reading, String error) {}

        private final Analyzer analyzer;
        private final List<Path> files;
        private final int batch;
        private final java.util.concurrent.ExecutorService decoders;
        private final java.util.ArrayDeque<java.util.concurrent.Future<Analyzer.Prepared>> ahead = new java.util.ArrayDeque<>();
        private final java.util.ArrayDeque<Item> ready = new java.util.ArrayDeque<>();
        private int submitted;
        private int consumed;

        Pipeline(Analyzer analyzer, List<Path> files, int batch) {
            this.analyzer = analyzer;
            this.files = files;
            this.batch = batch;
            this.decoders = java.util.concurrent.Executors.newFixedThreadPool(
                    Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors() - 1)), r -> {
                        Thread t = new Thread(r, "funduslens-decode");
                        t.setDaemon(true);
                        return t;
                    });
            fill();
        }

        private void fill() {
            while (submitted < files.size() && ahead.size() < 2 * batch) {
                Path f = files.get(submitted++);
                ahead.add(decoders.submit(() -> analyzer.prepare(f)));
            }
        }

        /** The next result in input order, or null when all are done. */
        Item next(int top) throws InferenceException {
            if (ready.isEmpty()) {
                if (consumed >= files.size()) {
                    decoders.shutdown();
                    return null;
                }
                List<Analyzer.Prepared> prepared = new java.util.ArrayList<>();
                List<Integer> positions = new java.util.ArrayList<>();
                Item[] slots = new Item[Math.min(batch, files.size() - consumed)];
                for (int k = 0; k < slots.length; k++) {
                    Path f = files.get(consumed + k);
                    try {
                        prepared.add(ahead.poll().get());
                        positions.add(k);
                    } catch (java.util.concurrent.ExecutionException e) {
                        Throwable c = e.getCause();
                        slots[k] = new Item(f, null, c instanceof ImageLoadException ? c.getMessage()
                                : f.getFileName() + ": cannot be read (" + c + ").");
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted", e);
                    }
                    fill();
                }
                List<Reading> readings = analyzer.analyzeBatch(prepared, top);
                for (int j = 0; j < readings.size(); j++) {
                    int k = positions.get(j);
                    slots[k] = new Item(files.get(consumed + k), readings.get(j), null);
                }
                consumed += slots.length;
                ready.addAll(java.util.Arrays.asList(slots));
            }
            return ready.poll();
        }
    }

    /** PNG with a light deflate level: heatmaps are smooth, and full-size maps of 10-megapixel photographs add up. */
    static void writePng(java.awt.image.BufferedImage img, Path f) throws IOException {
        javax.imageio.ImageWriter w = ImageIO.getImageWritersByFormatName("png").next();
        javax.imageio.ImageWriteParam p = w.getDefaultWriteParam();
        if (p.canWriteCompressed()) {
            p.setCompressionMode(javax.imageio.ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(0.8f);
        }
        Files.deleteIfExists(f);
        try (javax.imageio.stream.ImageOutputStream out = ImageIO.createImageOutputStream(f.toFile())) {
            w.setOutput(out);
            w.write(null, new javax.imageio.IIOImage(img, null, null), p);
        } finally {
            w.dispose();
        }
    }

    /** The files written for one image: per diagnosis, a path per map kind; all distinct paths in order. */
    record Maps(String stem, List<Map<String, Path>> perDiagnosis, List<Path> all, List<String> unavailable) {}

    /** One PNG per distinct heatmap (a class-agnostic map is written once and shared by every diagnosis). */
    static Maps writeHeatmaps(Reading r, List<Heatmap> occlusion, Path dir, Path image, Map<String, Integer> stems,
                              List<String> kinds) throws IOException {
        String name = image.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = (dot > 0 ? name.substring(0, dot) : name).replaceAll("[^A-Za-z0-9._-]", "_");
        int n = stems.merge(stem, 1, Integer::sum);
        if (n > 1) {
            stem = stem + "-" + n;
        }
        boolean classMaps = !r.heatmaps().isEmpty() && !r.heatmaps().get(0).classAgnostic();
        List<String> unavailable = new java.util.ArrayList<>();
        if (kinds.contains("class") && !classMaps) {
            unavailable.add("class (this bundle's head has no exact patch split)");
        }
        if (kinds.contains("attention") && r.attention() == null) {
            unavailable.add("attention (the bundle has no attention output)");
        }
        Map<Heatmap, Path> written = new java.util.IdentityHashMap<>();
        List<Map<String, Path>> perDiagnosis = new java.util.ArrayList<>();
        for (int i = 0; i < r.top().size(); i++) {
            Map<String, Path> mine = new java.util.LinkedHashMap<>();
            if (kinds.contains("class") && classMaps) {
                mine.put("class", write(r, r.heatmapFor(i), dir, stem, written));
            }
            if (kinds.contains("occlusion") && i < occlusion.size()) {
                mine.put("occlusion", write(r, occlusion.get(i), dir, stem, written));
            }
            if (kinds.contains("attention") && r.attention() != null) {
                mine.put("attention", write(r, r.attention(), dir, stem, written));
            }
            perDiagnosis.add(mine);
        }
        return new Maps(stem, perDiagnosis, List.copyOf(new java.util.LinkedHashSet<>(written.values())), unavailable);
    }

    private static Path write(Reading r, Heatmap h, Path dir, String stem, Map<Heatmap, Path> written) throws IOException {
        Path f = written.get(h);
        if (f == null) {
            String suffix = h.classAgnostic() ? h.kind() : h.kind() + "-" + h.label();
            f = dir.resolve(stem + "." + suffix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "_") + ".png");
            writePng(h.render(r.image().width(), r.image().height()), f);
            written.put(h, f);
        }
        return f;
    }

    static ObjectNode toJson(Reading r, Maps maps, double writeMs) {
        ObjectNode o = JSON.createObjectNode();
        o.put("image", r.image().source().toAbsolutePath().normalize().toString());
        o.put("width", r.image().width());
        o.put("height", r.image().height());
        ModelBundle b = r.bundle();
        ObjectNode bundle = o.putObject("bundle");
        bundle.put("id", b.id());
        bundle.put("name", b.displayName());
        bundle.put("backbone", b.manifest().backbone().family());
        bundle.put("architecture", b.manifest().backbone().architecture());
        bundle.put("demo", b.demo());
        bundle.put("sha256", b.sha256());
        if (b.demo()) {
            o.put("notice", b.demoNotice());
        }
        o.put("provider", r.provider().label());
        ArrayNode preds = o.putArray("predictions");
        for (int i = 0; i < r.top().size(); i++) {
            Diagnosis d = r.top().get(i);
            ObjectNode p = preds.addObject();
            p.put("label", d.name());
            p.put("code", d.code());
            p.put("probability", d.probability());
            Map<String, Path> mine = i < maps.perDiagnosis().size() ? maps.perDiagnosis().get(i) : Map.of();
            if (!mine.isEmpty()) {
                p.put("heatmap", mine.values().iterator().next().toString());
                ObjectNode byKind = p.putObject("heatmaps");
                mine.forEach((k, f) -> byKind.put(k, f.toString()));
            }
        }
        ArrayNode all = o.putArray("heatmaps");
        maps.all().forEach(f -> all.add(f.toString()));
        ObjectNode kinds = o.putObject("heatmap_methods");
        if (!maps.perDiagnosis().isEmpty()) {
            for (String k : maps.perDiagnosis().get(0).keySet()) {
                kinds.put(k, switch (k) {
                    case "class" -> "patch logits: the diagnosis's logit split exactly over the image patches";
                    case "occlusion" -> "occlusion: the drop in the diagnosis's probability when a patch is greyed out";
                    default -> "attention: last-layer CLS attention averaged over heads (class-agnostic)";
                });
            }
        }
        if (!maps.unavailable().isEmpty()) {
            ArrayNode u = o.putArray("heatmaps_unavailable");
            maps.unavailable().forEach(u::add);
        }
        ObjectNode t = o.putObject("timings_ms");
        r.timingsMs().forEach((k, v) -> t.put(k, k.equals("heatmap") || k.equals("total") ? round(v + writeMs) : v));
        return o;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static void printText(PrintWriter out, Reading r, Maps maps) {
        out.println(r.image().source() + "  [" + r.bundle().displayName() + ", " + r.provider().label() + "]");
        if (r.bundle().demo()) {
            out.println("  " + r.bundle().demoNotice());
        }
        for (Diagnosis d : r.top()) {
            out.printf(Locale.ROOT, "  %5.1f%%  %s (%s)%n", d.probability() * 100, d.name(), d.code());
        }
        maps.all().forEach(f -> out.println("  heatmap: " + f));
    }
}
