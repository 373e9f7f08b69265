package org.funduslens.model;

/** Google's Turbo colour scale (polynomial approximation by Anton Mikhailov, Apache-2.0): blue through red. */
final class Turbo {
    private Turbo() {}

    private static final int LEVELS = 1024;
    private static final int[] LUT = new int[LEVELS];

    static {
        for (int i = 0; i < LEVELS; i++) {
            LUT[i] = exact(i / (double) (LEVELS - 1));
        }
    }

    /** The colour for t in [0, 1], from a 1024-level table (renders of 10-megapixel maps evaluate it per pixel). */
    static int rgb(double t) {
        int i = (int) (Math.max(0, Math.min(1, t)) * (LEVELS - 1) + 0.5);
        return LUT[i];
    }

    private static int exact(double t) {
        t = Math.max(0, Math.min(1, t));
        double t2 = t * t;
        double t3 = t2 * t;
        double t4 = t3 * t;
        double t5 = t4 * t;
        double r = 0.13572138 + 4.61539260 * t - 42.66032258 * t2 + 132.13108234 * t3 - 152.94239396 * t4 + 59.28637943 * t5;
        double g = 0.09140261 + 2.19418839 * t + 4.84296658 * t2 - 14.18503333 * t3 + 4.27729857 * t4 + 2.82956604 * t5;
        double b = 0.10667330 + 12.64194608 * t - 60.58204836 * t2 + 110.36276771 * t3 - 89.90310912 * t4 + 27.34824973 * t5;
        return channel(r) << 16 | channel(g) << 8 | channel(b);
    }

    private static int channel(double v) {
        return (int) Math.round(Math.max(0, Math.min(1, v)) * 255);
    }
}
