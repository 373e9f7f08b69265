package org.funduslens.model;

/**
 * Resizes 8-bit RGB rasters with the same arithmetic as Pillow's {@code Image.resize} (libImaging/Resample.c):
 * a separable convolution whose kernel widens by the scale factor when shrinking (so it antialiases), with
 * coefficients normalised per output pixel, converted to 22-bit fixed point, horizontal pass first into an 8-bit
 * intermediate, then the vertical pass. The upstream models were trained and evaluated on images resized this way.
 */
public final class PilResampler {
    /** Pillow's resampling filters that the upstream pipelines use. */
    public enum Filter {
        BILINEAR(1.0) {
            @Override
            double weight(double x) {
                x = Math.abs(x);
                return x < 1.0 ? 1.0 - x : 0.0;
            }
        },
        BICUBIC(2.0) {
            @Override
            double weight(double x) {
                final double a = -0.5;
                x = Math.abs(x);
                if (x < 1.0) {
                    return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
                }
                if (x < 2.0) {
                    return (((x - 5) * x + 8) * x - 4) * a;
                }
                return 0.0;
            }
        };

        final double support;

        Filter(double support) {
            this.support = support;
        }

        abstract double weight(double x);

        public static Filter of(String name) {
            return switch (name) {
                case "bilinear" -> BILINEAR;
                case "bicubic" -> BICUBIC;
                default -> throw new IllegalArgumentException("unknown interpolation " + name);
            };
        }
    }

    private static final int PRECISION_BITS = 32 - 8 - 2;

    private PilResampler() {}

    /** Kernel bounds and fixed-point weights for one axis. */
    private record Coefficients(int ksize, int[] bounds, int[] weights) {}

    static Coefficients coefficients(int inSize, int outSize, Filter filter) {
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = filter.support * filterScale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        int[] bounds = new int[outSize * 2];
        int[] weights = new int[outSize * ksize];
        double[] k = new double[ksize];
        for (int xx = 0; xx < outSize; xx++) {
            double center = (xx + 0.5) * scale;
            double ww = 0.0;
            double ss = 1.0 / filterScale;
            int xmin = (int) (center - support + 0.5);
            if (xmin < 0) {
                xmin = 0;
            }
            int xmax = (int) (center + support + 0.5);
            if (xmax > inSize) {
                xmax = inSize;
            }
            xmax -= xmin;
            for (int x = 0; x < xmax; x++) {
                double w = filter.weight((x + xmin - center + 0.5) * ss);
                k[x] = w;
                ww += w;
            }
            for (int x = 0; x < xmax; x++) {
                if (ww != 0.0) {
                    k[x] /= ww;
                }
                double v = k[x] * (1 << PRECISION_BITS);
                weights[xx * ksize + x] = (int) (v < 0 ? -0.5 + v : 0.5 + v);
            }
            bounds[xx * 2] = xmin;
            bounds[xx * 2 + 1] = xmax;
        }
        return new Coefficients(ksize, bounds, weights);
    }

    private static byte clip8(int v) {
        int s = v >> PRECISION_BITS;
        return (byte) (s < 0 ? 0 : Math.min(s, 255));
    }

    /** Resizes an interleaved RGB raster of {@code w x h} to {@code ow x oh}. Returns the input when sizes match. */
    public static byte[] resize(byte[] rgb, int w, int h, int ow, int oh, Filter filter) {
        return resizeCrop(rgb, w, h, ow, oh, filter, 0, 0, ow, oh);
    }

    /**
     * The {@code cw x ch} window at ({@code cx}, {@code cy}) of the image resized to {@code ow x oh}: the same bytes as
     * resizing everything and cropping afterwards (every output pixel depends only on its own kernel), but only the
     * pixels inside the window, and only the source rows they need, are computed.
     */
    public static byte[] resizeCrop(byte[] rgb, int w, int h, int ow, int oh, Filter filter, int cx, int cy, int cw, int ch) {
        if (ow <= 0 || oh <= 0) {
            throw new IllegalArgumentException("output size must be positive: " + ow + "x" + oh);
        }
        if (cx < 0 || cy < 0 || cw <= 0 || ch <= 0 || cx + cw > ow || cy + ch > oh) {
            throw new IllegalArgumentException("crop outside the resized image");
        }
        if (ow == w && oh == h) {
            return crop(rgb, w, cx, cy, cw, ch);
        }
        // rows of the source that the vertical kernels of the window touch
        Coefficients vert = oh != h ? coefficients(h, oh, filter) : null;
        int y0 = vert == null ? cy : vert.bounds[cy * 2];
        int y1 = vert == null ? cy + ch : vert.bounds[(cy + ch - 1) * 2] + vert.bounds[(cy + ch - 1) * 2 + 1];
        byte[] cur;
        int curW;
        if (ow != w) {
            cur = horizontal(rgb, w, y0, y1, coefficients(w, ow, filter), cx, cw);
            curW = cw;
        } else {
            cur = crop(rgb, w, cx, y0, cw, y1 - y0);
            curW = cw;
        }
        if (vert == null) {
            return cur;
        }
        return vertical(cur, curW, y0, vert, cy, ch);
    }

    private static byte[] crop(byte[] rgb, int w, int cx, int cy, int cw, int ch) {
        byte[] out = new byte[cw * ch * 3];
        for (int y = 0; y < ch; y++) {
            System.arraycopy(rgb, ((cy + y) * w + cx) * 3, out, y * cw * 3, cw * 3);
        }
        return out;
    }

    /** Rows {@code y0..y1} of the source, output columns {@code cx..cx+cw}; row 0 of the result is source row y0. */
    private static byte[] horizontal(byte[] in, int w, int y0, int y1, Coefficients c, int cx, int cw) {
        int h = y1 - y0;
        byte[] out = new byte[cw * h * 3];
        int half = 1 << (PRECISION_BITS - 1);
        for (int y = 0; y < h; y++) {
            int rowIn = (y + y0) * w * 3;
            int rowOut = y * cw * 3;
            for (int xx = cx; xx < cx + cw; xx++) {
                int xmin = c.bounds[xx * 2];
                int xmax = c.bounds[xx * 2 + 1];
                int kOff = xx * c.ksize;
                int s0 = half;
                int s1 = half;
                int s2 = half;
                for (int x = 0; x < xmax; x++) {
                    int k = c.weights[kOff + x];
                    int p = rowIn + (x + xmin) * 3;
                    s0 += (in[p] & 0xff) * k;
                    s1 += (in[p + 1] & 0xff) * k;
                    s2 += (in[p + 2] & 0xff) * k;
                }
                int o = rowOut + (xx - cx) * 3;
                out[o] = clip8(s0);
                out[o + 1] = clip8(s1);
                out[o + 2] = clip8(s2);
            }
        }
        return out;
    }

    /** {@code in} holds source rows from {@code y0}; output rows {@code cy..cy+ch}. */
    private static byte[] vertical(byte[] in, int w, int y0, Coefficients c, int cy, int ch) {
        byte[] out = new byte[w * ch * 3];
        int half = 1 << (PRECISION_BITS - 1);
        int stride = w * 3;
        int[] acc = new int[stride];
        for (int yy = cy; yy < cy + ch; yy++) {
            int ymin = c.bounds[yy * 2] - y0;
            int ymax = c.bounds[yy * 2 + 1];
            int kOff = yy * c.ksize;
            java.util.Arrays.fill(acc, half);
            for (int y = 0; y < ymax; y++) {
                int k = c.weights[kOff + y];
                int row = (y + ymin) * stride;
                for (int i = 0; i < stride; i++) {
                    acc[i] += (in[row + i] & 0xff) * k;
                }
            }
            int rowOut = (yy - cy) * stride;
            for (int i = 0; i < stride; i++) {
                out[rowOut + i] = clip8(acc[i]);
            }
        }
        return out;
    }
}
