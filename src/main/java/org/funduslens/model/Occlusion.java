package org.funduslens.model;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleConsumer;

/**
 * Occlusion sensitivity, model-agnostic: each cell of a grid over the network's input is greyed out in turn (set to
 * the normalisation mean, i.e. 0 after normalising) and the drop in each chosen diagnosis's probability is that
 * cell's value. Occluded copies run in batches on the bundle's session; progress and cancellation are the caller's.
 */
public final class Occlusion {
    public static final String KIND = "occlusion";

    private Occlusion() {}

    /**
     * @param cell   side of an occluded square in network-input pixels (the bundle's patch size is a good choice)
     * @param subset the label indices the probabilities are computed over (null: all), as for the reading
     * @param batch  occluded copies per ONNX Runtime run
     * @return one map per class index, in the order given, scaled so the largest drop is 1 (rises count as 0)
     */
    public static List<Heatmap> maps(InferenceSession session, Preprocessor.Tensor input, List<Diagnosis> classes,
                                     int[] subset, int cell, int batch, DoubleConsumer progress, BooleanSupplier cancelled)
            throws InferenceException {
        int size = input.size();
        int grid = (size + cell - 1) / cell;
        int plane = size * size;
        List<BundleManifest.Label> labels = session.bundle().labels();
        String logitsName = session.bundle().manifest().outputs().logits();
        Prediction base = Prediction.fromLogits(session.run(input.chw(), 1, size).get(logitsName).data(), 0, labels, subset);
        double[] baseP = new double[classes.size()];
        for (int k = 0; k < classes.size(); k++) {
            int idx = classes.get(k).index();
            baseP[k] = base.ranked().stream().filter(d -> d.index() == idx).findFirst().orElseThrow().probability();
        }
        float[][] drops = new float[classes.size()][grid * grid];
        int total = grid * grid;
        int n = Math.max(1, batch);
        for (int start = 0; start < total; start += n) {
            if (cancelled.getAsBoolean()) {
                throw new CancellationException("occlusion map cancelled");
            }
            int count = Math.min(n, total - start);
            float[] buf = new float[count * 3 * plane];
            for (int b = 0; b < count; b++) {
                int c = start + b;
                int y0 = (c / grid) * cell;
                int x0 = (c % grid) * cell;
                System.arraycopy(input.chw(), 0, buf, b * 3 * plane, 3 * plane);
                for (int ch = 0; ch < 3; ch++) {
                    int off = b * 3 * plane + ch * plane;
                    for (int y = y0; y < Math.min(size, y0 + cell); y++) {
                        java.util.Arrays.fill(buf, off + y * size + x0, off + y * size + Math.min(size, x0 + cell), 0f);
                    }
                }
            }
            float[] logits = session.run(buf, count, size).get(logitsName).data();
            int classesN = labels.size();
            for (int b = 0; b < count; b++) {
                Prediction p = Prediction.fromLogits(logits, b * classesN, labels, subset);
                for (int k = 0; k < classes.size(); k++) {
                    int idx = classes.get(k).index();
                    double prob = p.ranked().stream().filter(d -> d.index() == idx).findFirst().orElseThrow().probability();
                    drops[k][start + b] = (float) Math.max(0, baseP[k] - prob);
                }
            }
            progress.accept((start + count) / (double) total);
        }
        List<Heatmap> out = new ArrayList<>();
        for (int k = 0; k < classes.size(); k++) {
            float max = 0;
            for (float v : drops[k]) {
                max = Math.max(max, v);
            }
            float[] v = new float[total];
            for (int i = 0; i < total; i++) {
                v[i] = max > 0 ? drops[k][i] / max : 0f;
            }
            out.add(new Heatmap(KIND, classes.get(k).code(), grid, grid, v, input.region()));
        }
        return out;
    }
}
