package org.funduslens.model;

import java.util.List;

/**
 * Two bundles on one image: both readings, and how far they agree (the same first diagnosis, how many of the top
 * three they share, and the Pearson correlation of their maps for each one's first diagnosis, sampled over the
 * region both networks saw).
 */
public record BackboneComparison(Reading left, Reading right) {
    private static final int SAMPLES = 48;

    public boolean sameFirstDiagnosis() {
        return left.top().get(0).code().equals(right.top().get(0).code());
    }

    /** How many diagnoses the two top-k lists share. */
    public int sharedInTop(int k) {
        List<String> a = left.top().stream().limit(k).map(Diagnosis::code).toList();
        return (int) right.top().stream().limit(k).map(Diagnosis::code).filter(a::contains).count();
    }

    /** Pearson correlation of the two first-diagnosis maps over a grid of image points; NaN where either has none. */
    public double mapCorrelation() {
        Heatmap a = firstMap(left);
        Heatmap b = firstMap(right);
        if (a == null || b == null) {
            return Double.NaN;
        }
        int w = left.image().width();
        int h = left.image().height();
        double sa = 0;
        double sb = 0;
        double saa = 0;
        double sbb = 0;
        double sab = 0;
        int n = 0;
        for (int j = 0; j < SAMPLES; j++) {
            for (int i = 0; i < SAMPLES; i++) {
                double x = (i + 0.5) * w / SAMPLES;
                double y = (j + 0.5) * h / SAMPLES;
                double va = a.valueAt(x, y);
                double vb = b.valueAt(x, y);
                if (Double.isNaN(va) || Double.isNaN(vb)) {
                    continue;
                }
                sa += va;
                sb += vb;
                saa += va * va;
                sbb += vb * vb;
                sab += va * vb;
                n++;
            }
        }
        if (n < 2) {
            return Double.NaN;
        }
        double cov = sab / n - sa / n * sb / n;
        double varA = saa / n - sa / n * sa / n;
        double varB = sbb / n - sb / n * sb / n;
        return varA <= 0 || varB <= 0 ? Double.NaN : cov / Math.sqrt(varA * varB);
    }

    static Heatmap firstMap(Reading r) {
        return r.heatmaps().isEmpty() ? r.attention() : r.heatmapFor(0);
    }

    /** Runs both analyzers on the image. */
    public static BackboneComparison run(org.funduslens.image.FundusImage image, Analyzer a, Analyzer b, int topK)
            throws InferenceException {
        return new BackboneComparison(a.analyze(image, topK), b.analyze(image, topK));
    }
}
