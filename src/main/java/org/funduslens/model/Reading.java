package org.funduslens.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.funduslens.image.FundusImage;

/**
 * Everything one analysis produced for one image: the prediction, a heatmap per shown diagnosis (class-specific from
 * the patch logits where the bundle has them, otherwise the class-agnostic attention map for each), the attention
 * map itself, the image embedding (null when the bundle has none), and how long each stage took.
 */
public record Reading(FundusImage image, ModelBundle bundle, ExecutionProvider provider, Prediction prediction,
                      List<Diagnosis> top, List<Heatmap> heatmaps, Heatmap attention, float[] embedding,
                      InferenceSession.Outputs outputs, Map<String, Double> timingsMs) {

    public Reading {
        top = List.copyOf(top);
        heatmaps = List.copyOf(heatmaps);
        timingsMs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(timingsMs));
    }

    /** The heatmap shown with the i-th of {@link #top()}. */
    public Heatmap heatmapFor(int i) {
        return heatmaps.get(Math.min(i, heatmaps.size() - 1));
    }
}
