package org.funduslens.model;

import java.awt.image.BufferedImage;

/**
 * A coarse saliency grid over the region the network saw, scaled to [0, 1], and its rendering at image resolution.
 *
 * @param kind   how it was made, e.g. {@link #ATTENTION}
 * @param label  the diagnosis it explains, or null for a class-agnostic map
 * @param values row-major {@code gridWidth x gridHeight}
 */
public record Heatmap(String kind, String label, int gridWidth, int gridHeight, float[] values, CropRegion region) {

    /** Last-block CLS attention averaged over heads: where the model looked, the same for every diagnosis. */
    public static final String ATTENTION = "attention";

    /** The diagnosis's logit split over the patches (exact for mean-pooled and DINOv2 linear heads). */
    public static final String PATCH_LOGITS = "patch-logits";

    public boolean classAgnostic() {
        return label == null;
    }

    /** Mean over heads of a (heads, patches) CLS attention row, min-max scaled. Patches form a square grid. */
    public static Heatmap fromClsAttention(float[] attn, int offset, int heads, int patches, CropRegion region) {
        int grid = (int) Math.round(Math.sqrt(patches));
        if (grid * grid != patches) {
            throw new IllegalArgumentException(patches + " attention patches do not form a square grid");
        }
        float[] v = new float[patches];
        for (int h = 0; h < heads; h++) {
            for (int p = 0; p < patches; p++) {
                v[p] += attn[offset + h * patches + p] / heads;
            }
        }
        return new Heatmap(ATTENTION, null, grid, grid, normalise(v), region);
    }

    /** Logits contributed by each patch to one class (exact decompositions only; see docs/models.md), min-max scaled. */
    public static Heatmap fromPatchLogits(float[] patchLogits, int offset, int patches, int classes, int classIndex,
                                          String label, CropRegion region) {
        int grid = (int) Math.round(Math.sqrt(patches));
        if (grid * grid != patches) {
            throw new IllegalArgumentException(patches + " patches do not form a square grid");
        }
        float[] v = new float[patches];
        for (int p = 0; p < patches; p++) {
            v[p] = patchLogits[offset + p * classes + classIndex];
        }
        return new Heatmap(PATCH_LOGITS, label, grid, grid, normalise(v), region);
    }

    static float[] normalise(float[] v) {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float x : v) {
            lo = Math.min(lo, x);
            hi = Math.max(hi, x);
        }
        float[] out = new float[v.length];
        float span = hi - lo;
        for (int i = 0; i < v.length; i++) {
            out[i] = span > 0 ? (v[i] - lo) / span : 0f;
        }
        return out;
    }

    /** Bilinear sample of the grid at a point of the source image; NaN outside the region the network saw. */
    public double valueAt(double x, double y) {
        double u = (x - region.x()) / region.width() * gridWidth - 0.5;
        double w = (y - region.y()) / region.height() * gridHeight - 0.5;
        if (x < region.x() || y < region.y() || x >= region.x() + region.width() || y >= region.y() + region.height()) {
            return Double.NaN;
        }
        u = Math.max(0, Math.min(gridWidth - 1, u));
        w = Math.max(0, Math.min(gridHeight - 1, w));
        int x0 = (int) Math.floor(u);
        int y0 = (int) Math.floor(w);
        int x1 = Math.min(x0 + 1, gridWidth - 1);
        int y1 = Math.min(y0 + 1, gridHeight - 1);
        double fx = u - x0;
        double fy = w - y0;
        double top = values[y0 * gridWidth + x0] * (1 - fx) + values[y0 * gridWidth + x1] * fx;
        double bottom = values[y1 * gridWidth + x0] * (1 - fx) + values[y1 * gridWidth + x1] * fx;
        return top * (1 - fy) + bottom * fy;
    }

    /**
     * The map at the source image's resolution as ARGB: the turbo colour scale inside the region the network saw,
     * fully transparent outside it.
     */
    public BufferedImage render(int imageWidth, int imageHeight) {
        return render(imageWidth, imageHeight, false);
    }

    /**
     * The same colours, but each pixel as opaque as its value: cool regions let the photograph through and only the
     * places the map points at are tinted. This is what the viewer lays over the image.
     */
    public BufferedImage renderOverlay(int imageWidth, int imageHeight) {
        return render(imageWidth, imageHeight, true);
    }

    private BufferedImage render(int imageWidth, int imageHeight, boolean alphaByValue) {
        BufferedImage out = new BufferedImage(imageWidth, imageHeight, BufferedImage.TYPE_INT_ARGB);
        int[] row = new int[imageWidth];
        for (int y = 0; y < imageHeight; y++) {
            for (int x = 0; x < imageWidth; x++) {
                double v = valueAt(x + 0.5, y + 0.5);
                if (Double.isNaN(v)) {
                    row[x] = 0;
                } else {
                    int alpha = alphaByValue ? (int) Math.round(255 * Math.min(1, Math.max(0, v))) : 255;
                    row[x] = alpha << 24 | Turbo.rgb(v);
                }
            }
            out.setRGB(0, y, imageWidth, 1, row, 0, imageWidth);
        }
        return out;
    }
}
