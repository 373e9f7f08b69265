package org.funduslens.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.funduslens.image.FundusImage;
import org.funduslens.image.ImageLoadException;
import org.funduslens.image.ImageLoader;

/**
 * The one path from an image to a {@link Reading}, shared by the GUI and the CLI: decode, preprocess, run the
 * network, rank the labels, make the heatmaps. Thread-safe for one caller at a time per instance.
 */
public final class Analyzer implements AutoCloseable {
    public static final int DEFAULT_TOP = 3;

    private final ModelBundle bundle;
    private final InferenceSession session;
    private final Preprocessor preprocessor;
    private volatile int[] labelSubset;

    private Analyzer(ModelBundle bundle, InferenceSession session) {
        this.bundle = bundle;
        this.session = session;
        this.preprocessor = new Preprocessor(bundle.input());
    }

    /** Verifies the bundle and opens its session (GPU first where the ONNX Runtime build offers one). */
    public static Analyzer open(Path bundleDir, boolean preferGpu) throws BundleException {
        long t0 = System.nanoTime();
        ModelBundle bundle = ModelBundle.load(bundleDir);
        org.slf4j.LoggerFactory.getLogger(Analyzer.class).info("{}: checked in {} ms", bundle.id(),
                (System.nanoTime() - t0) / 1_000_000);
        return new Analyzer(bundle, InferenceSession.open(bundle, preferGpu));
    }

    public ModelBundle bundle() {
        return bundle;
    }

    public ExecutionProvider provider() {
        return session.provider();
    }

    public String providerNotice() {
        return session.providerNotice();
    }

    /**
     * Scores only these label codes from now on (null or empty: all); probabilities are recomputed over the subset.
     * Meant for zero-shot bundles, where a clinic narrows the list to the diseases it sees.
     *
     * @throws IllegalArgumentException naming a code the bundle does not have, or when fewer than two remain
     */
    public void restrictLabels(java.util.Collection<String> codes) {
        if (codes == null || codes.isEmpty()) {
            labelSubset = null;
            return;
        }
        List<String> all = bundle.labels().stream().map(BundleManifest.Label::code).toList();
        java.util.TreeSet<Integer> idx = new java.util.TreeSet<>();
        for (String c : codes) {
            int i = all.indexOf(c);
            if (i < 0) {
                throw new IllegalArgumentException("'" + c + "' is not a label of " + bundle.id() + " (it has " + all + ")");
            }
            idx.add(i);
        }
        if (idx.size() < 2) {
            throw new IllegalArgumentException("a label subset needs at least two labels");
        }
        labelSubset = idx.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The labels currently scored. */
    public List<BundleManifest.Label> activeLabels() {
        int[] s = labelSubset;
        if (s == null) {
            return bundle.labels();
        }
        return java.util.Arrays.stream(s).mapToObj(i -> bundle.labels().get(i)).toList();
    }

    /** The ONNX Runtime session, for verification on the provider in use. */
    public InferenceSession session() {
        return session;
    }

    public Preprocessor preprocessor() {
        return preprocessor;
    }

    /** An image decoded and preprocessed, ready for the network; made on any thread. */
    public record Prepared(FundusImage image, Preprocessor.Tensor tensor, double decodeMs, double preprocessMs) {}

    /** Decodes and preprocesses one file; thread-safe (it does not touch the session), so callers overlap it with inference. */
    public Prepared prepare(Path file) throws ImageLoadException {
        long t0 = System.nanoTime();
        FundusImage img = ImageLoader.load(file);
        double decode = ms(t0);
        return prepare(img, decode);
    }

    public Prepared prepare(FundusImage img, double decodeMs) {
        long t0 = System.nanoTime();
        Preprocessor.Tensor t = preprocessor.preprocess(img);
        return new Prepared(img, t, decodeMs, ms(t0));
    }

    public Reading analyze(Path file, int topK) throws ImageLoadException, InferenceException {
        return analyzeBatch(List.of(prepare(file)), topK).get(0);
    }

    public Reading analyze(FundusImage img, int topK) throws InferenceException {
        return analyzeBatch(List.of(prepare(img, 0.0)), topK).get(0);
    }

    /**
     * Runs prepared images through the network as one batch and builds a reading for each. The batch's inference
     * time is shared equally among its images in their timings.
     */
    public synchronized List<Reading> analyzeBatch(List<Prepared> items, int topK) throws InferenceException {
        if (items.isEmpty()) {
            return List.of();
        }
        int size = items.get(0).tensor().size();
        int plane = 3 * size * size;
        float[] batch = new float[items.size() * plane];
        for (int i = 0; i < items.size(); i++) {
            System.arraycopy(items.get(i).tensor().chw(), 0, batch, i * plane, plane);
        }
        long t1 = System.nanoTime();
        InferenceSession.Outputs out = session.run(batch, items.size(), size);
        double inf = ms(t1) / items.size();
        List<Reading> readings = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            readings.add(reading(items.get(i), out.slice(i), topK, inf));
        }
        return readings;
    }

    private Reading reading(Prepared item, InferenceSession.Outputs out, int topK, double inferenceMs) {
        long t2 = System.nanoTime();
        Preprocessor.Tensor t = item.tensor();
        var names = bundle.manifest().outputs();
        Prediction p = Prediction.fromLogits(out.get(names.logits()).data(), 0, bundle.labels(), labelSubset);
        List<Diagnosis> top = p.top(topK);
        Heatmap attention = null;
        InferenceSession.Tensor attn = out.get(names.clsAttention());
        if (attn != null) {
            long[] s = attn.shape();
            attention = Heatmap.fromClsAttention(attn.data(), 0, (int) s[1], (int) s[2], t.region());
        }
        InferenceSession.Tensor patchLogits = out.get(names.patchLogits());
        List<Heatmap> maps = new ArrayList<>();
        for (Diagnosis d : top) {
            if (patchLogits != null) {
                long[] s = patchLogits.shape();
                maps.add(Heatmap.fromPatchLogits(patchLogits.data(), 0, (int) s[1], (int) s[2], d.index(), d.code(), t.region()));
            } else if (attention != null) {
                maps.add(attention);
            }
        }
        InferenceSession.Tensor emb = out.get(names.embedding());
        double heat = ms(t2);
        Map<String, Double> timings = new LinkedHashMap<>();
        timings.put("decode", round(item.decodeMs()));
        timings.put("preprocess", round(item.preprocessMs()));
        timings.put("inference", round(inferenceMs));
        timings.put("heatmap", round(heat));
        timings.put("total", round(item.decodeMs() + item.preprocessMs() + inferenceMs + heat));
        return new Reading(item.image(), bundle, session.provider(), p, top, maps, attention,
                emb == null ? null : emb.data(), out, timings);
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    /** The bundle's image embedding for one image (for similar-case retrieval). */
    public synchronized float[] embed(FundusImage img) throws InferenceException {
        String name = bundle.manifest().outputs().embedding();
        if (name == null) {
            throw new InferenceException(bundle.id() + " has no image embedding output; export it again with this FundusLens.",
                    null);
        }
        Preprocessor.Tensor t = preprocessor.preprocess(img);
        return session.run(t.chw(), 1, t.size()).get(name).data();
    }

    /**
     * Occlusion maps for the reading's shown diagnoses, one per diagnosis; slow (one run per grid cell), so callers
     * run it in the background with progress and cancellation.
     */
    public synchronized List<Heatmap> occlusion(Reading r, java.util.function.DoubleConsumer progress,
                                                java.util.function.BooleanSupplier cancelled) throws InferenceException {
        int patch = Math.max(8, bundle.manifest().backbone().patch());
        return Occlusion.maps(session, preprocessor.preprocess(r.image()), r.top(), labelSubset, patch, 16, progress,
                cancelled);
    }

    private static double ms(long since) {
        return (System.nanoTime() - since) / 1e6;
    }

    @Override
    public void close() {
        session.close();
    }
}
