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
        int n = labels.size();
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        double[] e = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            e[i] = Math.exp(logits[offset + i] - max);
            sum += e[i];
        }
        List<Diagnosis> all = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            BundleManifest.Label l = labels.get(i);
            all.add(new Diagnosis(i, l.code(), l.name(), e[i] / sum));
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
