package org.funduslens.model;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The model's answer for one image: every label's probability, and the ranking. */
public final class Prediction {
    private final List<Diagnosis> ranked;

    private Prediction(List<Diagnosis> ranked) {
        this.ranked = List.copyOf(ranked);
    }

    /** Softmax over the logits (computed in double, max-subtracted), labels in the bundle's order. */
    public static Prediction fromLogits(float[] logits, int offset, List<BundleManifest.Label> labels) {
        return fromLogits(logits, offset, labels, null);
    }

    /**
     * Softmax over the logits of {@code subset} only (indices into {@code labels}; null for all): with zero-shot
     * scores, restricting the label list this way is exactly scoring against the smaller list.
     */
    public static Prediction fromLogits(float[] logits, int offset, List<BundleManifest.Label> labels, int[] subset) {
        int[] idx = subset != null ? subset : java.util.stream.IntStream.range(0, labels.size()).toArray();
        double max = Double.NEGATIVE_INFINITY;
        for (int i : idx) {
            max = Math.max(max, logits[offset + i]);
        }
        double[] e = new double[idx.length];
        double sum = 0;
        for (int k = 0; k < idx.length; k++) {
            e[k] = Math.exp(logits[offset + idx[k]] - max);
            sum += e[k];
        }
        List<Diagnosis> all = new ArrayList<>(idx.length);
        for (int k = 0; k < idx.length; k++) {
            BundleManifest.Label l = labels.get(idx[k]);
            all.add(new Diagnosis(idx[k], l.code(), l.name(), e[k] / sum));
        }
        all.sort(Comparator.comparingDouble(Diagnosis::probability).reversed().thenComparingInt(Diagnosis::index));
        return new Prediction(all);
    }

    /** All labels, most probable first (ties keep the bundle's order). */
    public List<Diagnosis> ranked() {
        return ranked;
    }

    public List<Diagnosis> top(int k) {
        return ranked.subList(0, Math.min(Math.max(k, 0), ranked.size()));
    }

    public Diagnosis first() {
        return ranked.get(0);
    }
}
