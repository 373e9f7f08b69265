package org.funduslens.image;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One fundus image as every later stage sees it: an 8-bit RGB raster (row-major, interleaved R, G, B)
 * plus what is known of where it came from. Grey sources are replicated into three channels; 16-bit
 * sources are scaled to 8 bits with rounding ({@code round(v * 255 / 65535)}), and the original depth is kept.
 */
public final class FundusImage {
    private final Path source;
    private final String description;
    private final int width;
    private final int height;
    private final byte[] rgb;
    private final int sourceBitDepth;
    private final boolean sourceGrey;
    private final Eye eye;
    private final double[] pixelSpacingMm;

    public FundusImage(Path source, String description, int width, int height, byte[] rgb,
                       int sourceBitDepth, boolean sourceGrey, Eye eye) {
        this(source, description, width, height, rgb, sourceBitDepth, sourceGrey, eye, null);
    }

    /** {@code pixelSpacingMm}: row and column spacing in millimetres (DICOM Pixel Spacing), or null where unknown. */
    public FundusImage(Path source, String description, int width, int height, byte[] rgb,
                       int sourceBitDepth, boolean sourceGrey, Eye eye, double[] pixelSpacingMm) {
        if (width <= 0 || height <= 0 || rgb.length != width * height * 3) {
            throw new IllegalArgumentException("raster size does not match " + width + "x" + height);
        }
        this.source = source;
        this.description = Objects.requireNonNull(description);
        this.width = width;
        this.height = height;
        this.rgb = rgb;
        this.sourceBitDepth = sourceBitDepth;
        this.sourceGrey = sourceGrey;
        this.eye = Objects.requireNonNull(eye);
        this.pixelSpacingMm = pixelSpacingMm != null && pixelSpacingMm.length == 2 && pixelSpacingMm[0] > 0 && pixelSpacingMm[1] > 0
                ? pixelSpacingMm.clone() : null;
    }

    /** The length in millimetres of a displacement of (dx, dy) pixels; null without a pixel spacing. */
    public Double distanceMm(double dxPixels, double dyPixels) {
        if (pixelSpacingMm == null) {
            return null;
        }
        // DICOM Pixel Spacing is row spacing (between rows, so vertical) then column spacing (horizontal)
        return Math.hypot(dxPixels * pixelSpacingMm[1], dyPixels * pixelSpacingMm[0]);
    }

    /** Row and column pixel spacing in millimetres, or null where the file does not state it. */
    public double[] pixelSpacingMm() {
        return pixelSpacingMm == null ? null : pixelSpacingMm.clone();
    }

    /** The file the image was read from; null when it came from elsewhere (a PACS, say). */
    public Path source() { return source; }

    /** What the image is, for people: a file name or a DICOM study description. */
    public String description() { return description; }

    public int width() { return width; }

    public int height() { return height; }

    /** The raster itself (not a copy): width * height * 3 bytes, R G B per pixel. Callers must not modify it. */
    public byte[] rgb() { return rgb; }

    public int sourceBitDepth() { return sourceBitDepth; }

    public boolean sourceGrey() { return sourceGrey; }

    public Eye eye() { return eye; }

    /** A copy as a standard AWT image, for writing files and for the GUI's conversion. */
    public BufferedImage toBufferedImage() {
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[width];
        for (int y = 0; y < height; y++) {
            int o = y * width * 3;
            for (int x = 0; x < width; x++, o += 3) {
                row[x] = (rgb[o] & 0xff) << 16 | (rgb[o + 1] & 0xff) << 8 | (rgb[o + 2] & 0xff);
            }
            out.setRGB(0, y, width, 1, row, 0, width);
        }
        return out;
    }

    @Override
    public String toString() {
        return description + " (" + width + "x" + height + ", " + sourceBitDepth + "-bit " + (sourceGrey ? "grey" : "RGB") + ")";
    }
}
