package org.funduslens.dicom;

import java.nio.file.Path;

/** DICOM frames as 8-bit pictures for display and for the models, with their ophthalmic attributes. */
public final class DicomImages {
    private DicomImages() {}

    /** An 8-bit RGB rendering of one frame (grey frames replicated into three channels). */
    public record Picture(Path source, int width, int height, byte[] rgb, boolean grey, int bitsStored, OphthalmicInfo info) {}

    public static Picture read(Path file, int frameIndex) throws DicomException {
        DicomFile f = DicomParser.read(file, true);
        return render(f, frameIndex);
    }

    public static Picture render(DicomFile f, int frameIndex) throws DicomException {
        byte[] fast = PixelDecoder.rgb8(f, frameIndex);
        if (fast != null) {
            return new Picture(f.path(), f.dataset().integer(Tag.COLUMNS, 0), f.dataset().integer(Tag.ROWS, 0), fast, false, 8,
                    OphthalmicInfo.of(f));
        }
        Frame fr = PixelDecoder.decode(f, frameIndex);
        byte[] out = toRgb8(fr, f.dataset());
        return new Picture(f.path(), fr.columns(), fr.rows(), out, fr.grey(), fr.bitsStored(), OphthalmicInfo.of(f));
    }

    /**
     * Colour: values above 8 bits are scaled to 8. Grey: the modality rescale, then the file's first window, or for
     * more than 8 bits without a window the frame's min-max; MONOCHROME1 is inverted.
     */
    static byte[] toRgb8(Frame fr, DicomDataset ds) {
        int n = fr.rows() * fr.columns();
        byte[] out = new byte[n * 3];
        int[] s = fr.samples();
        if (!fr.grey()) {
            int max = (1 << Math.min(fr.bitsStored(), 30)) - 1;
            for (int i = 0; i < n * 3; i++) {
                int v = fr.bitsStored() <= 8 ? s[i] : (int) Math.round(s[i] * 255.0 / max);
                out[i] = (byte) Math.max(0, Math.min(255, v));
            }
            return out;
        }
        double slope = ds.number(Tag.RESCALE_SLOPE, 0) == null ? 1 : ds.number(Tag.RESCALE_SLOPE, 0);
        double intercept = ds.number(Tag.RESCALE_INTERCEPT, 0) == null ? 0 : ds.number(Tag.RESCALE_INTERCEPT, 0);
        Double c = ds.number(Tag.WINDOW_CENTER, 0);
        Double w = ds.number(Tag.WINDOW_WIDTH, 0);
        boolean invert = "MONOCHROME1".equals(fr.photometric());
        double lo;
        double hi;
        boolean linearWindow = c != null && w != null && w >= 1;
        if (linearWindow) {
            lo = c - 0.5 - (w - 1) / 2;
            hi = c - 0.5 + (w - 1) / 2;
        } else if (fr.bitsStored() <= 8 && !fr.signed() && slope == 1 && intercept == 0) {
            lo = 0;
            hi = 255;
        } else {
            lo = Double.POSITIVE_INFINITY;
            hi = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                double v = s[i] * slope + intercept;
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        for (int i = 0; i < n; i++) {
            double x = s[i] * slope + intercept;
            double y;
            if (linearWindow) {
                // PS3.3 C.11.2.1.2.1
                y = x <= lo ? 0 : x > hi ? 255 : ((x - (c - 0.5)) / (w - 1) + 0.5) * 255;
            } else {
                y = hi > lo ? (x - lo) * 255 / (hi - lo) : 0;
            }
            int v = (int) Math.round(Math.max(0, Math.min(255, y)));
            if (invert) {
                v = 255 - v;
            }
            byte b = (byte) v;
            out[i * 3] = b;
            out[i * 3 + 1] = b;
            out[i * 3 + 2] = b;
        }
        return out;
    }
}
