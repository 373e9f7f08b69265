package org.funduslens.image;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.funduslens.dicom.DicomException;
import org.funduslens.dicom.DicomFile;
import org.funduslens.dicom.DicomImages;
import org.funduslens.dicom.DicomParser;
import org.funduslens.dicom.OphthalmicInfo;
import org.funduslens.dicom.SopClass;

/**
 * Reads JPEG, PNG and TIFF files (8 or 16 bits, RGB or grey, with or without alpha) and DICOM images into a
 * {@link FundusImage}.
 * Every failure is an {@link ImageLoadException} with one sentence naming the file; nothing else escapes.
 */
public final class ImageLoader {
    /** Below this, a photograph cannot carry a fundus worth reading. */
    public static final int MIN_SIDE = 64;
    /** Above this the raster would not fit in a desktop heap comfortably. */
    public static final long MAX_PIXELS = 120_000_000L;

    private static final Set<String> FORMATS = Set.of("jpeg", "jpg", "png", "tiff", "tif");
    private static final Set<String> PHOTO_SUFFIXES = Set.of(".jpg", ".jpeg", ".png", ".tif", ".tiff");

    /** Whether a file's name says JPEG, PNG or TIFF (for picking photographs out of folders). */
    public static boolean isPhotographName(Path file) {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return PHOTO_SUFFIXES.stream().anyMatch(n::endsWith);
    }

    /** As {@link #isPhotographName}, or a .dcm file. */
    public static boolean isImageName(Path file) {
        return isPhotographName(file) || file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".dcm");
    }

    private ImageLoader() {}

    public static FundusImage load(Path file) throws ImageLoadException {
        if (!Files.exists(file)) {
            throw new ImageLoadException(file, "the file does not exist.");
        }
        if (Files.isDirectory(file)) {
            throw new ImageLoadException(file, "is a folder, not an image file.");
        }
        if (!Files.isReadable(file)) {
            throw new ImageLoadException(file, "the file cannot be read (permission denied).");
        }
        if (DicomParser.isDicom(file)) {
            return loadDicom(file, 0);
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new ImageLoadException(file, "the file cannot be opened.");
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new ImageLoadException(file, "is not a JPEG, PNG, TIFF or DICOM image.");
            }
            ImageReader reader = readers.next();
            // the JDK's own JPEG reader first: its pixels are Pillow's (and the upstream models'), byte for byte
            while (reader.getClass().getName().startsWith("com.twelvemonkeys") && readers.hasNext()) {
                ImageReader next = readers.next();
                reader.dispose();
                reader = next;
            }
            String format = reader.getFormatName().toLowerCase(Locale.ROOT);
            if (!FORMATS.contains(format)) {
                reader.dispose();
                throw new ImageLoadException(file, "is a " + format.toUpperCase(Locale.ROOT)
                        + " image; FundusLens reads JPEG, PNG and TIFF.");
            }
            try {
                reader.setInput(in, true, true);
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                checkSize(file, w, h);
                BufferedImage img = reader.read(0);
                for (String warning : warnings) {
                    String lower = warning.toLowerCase(Locale.ROOT);
                    if (lower.contains("premature end") || lower.contains("truncat")) {
                        throw new ImageLoadException(file, "the image data is truncated (the file ends early).");
                    }
                }
                return convert(file, img);
            } finally {
                reader.dispose();
            }
        } catch (ImageLoadException e) {
            throw e;
        } catch (NoSuchFileException e) {
            throw new ImageLoadException(file, "the file does not exist.", e);
        } catch (IOException | RuntimeException e) {
            throw new ImageLoadException(file, describe(e), e);
        } catch (OutOfMemoryError e) {
            throw new ImageLoadException(file, "the image is too large for the memory available.", e);
        }
    }

    private static String describe(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            String m = String.valueOf(c.getMessage()).toLowerCase(Locale.ROOT);
            if (c instanceof java.io.EOFException || m.contains("eof") || m.contains("premature end")
                    || m.contains("truncat") || m.contains("end of stream") || m.contains("unexpected end")
                    || m.contains("insufficient data")) {
                return "the image data is truncated (the file ends early).";
            }
        }
        String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        if (m.contains("unsupported image type") || m.contains("cmyk") || m.contains("ycck")) {
            return "uses a colour space FundusLens does not read (CMYK or YCCK); save it as RGB.";
        }
        return "the image data is damaged and cannot be decoded (" + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + e.getMessage().strip()) + ").";
    }

    /** The number of B-scans of an OCT volume (OPT), which is viewed frame by frame and never analysed; 0 otherwise. */
    public static int octFrames(Path file) {
        try {
            if (!DicomParser.isDicom(file)) {
                return 0;
            }
            DicomFile f = DicomParser.read(file, false);
            return SopClass.OPT.equals(f.sopClassUid()) ? Math.max(1, f.frames()) : 0;
        } catch (DicomException e) {
            return 0;
        }
    }

    /** One B-scan (from 0) of an OCT volume, for viewing only: no model reads it. */
    public static FundusImage loadOctFrame(Path file, int frame) throws ImageLoadException {
        try {
            DicomImages.Picture p = DicomImages.render(DicomParser.read(file, true), frame);
            Eye eye = "R".equals(p.info().laterality()) ? Eye.OD : "L".equals(p.info().laterality()) ? Eye.OS : Eye.UNKNOWN;
            return new FundusImage(file, file.getFileName() + " \u2014 OCT B-scan " + (frame + 1) + "/" + p.info().frames(),
                    p.width(), p.height(), p.rgb(), p.bitsStored(), p.grey(), eye, p.info().pixelSpacing());
        } catch (DicomException e) {
            throw new ImageLoadException(file, e.getMessage().substring(e.getMessage().indexOf(": ") + 2), e);
        } catch (OutOfMemoryError e) {
            throw new ImageLoadException(file, "the image is too large for the memory available.", e);
        }
    }

    /** One frame (from 0) of a DICOM file, as a fundus image with its eye from Image Laterality (else Laterality). */
    public static FundusImage loadDicom(Path file, int frame) throws ImageLoadException {
        DicomImages.Picture p;
        try {
            DicomFile f = DicomParser.read(file, true);
            if (SopClass.OPT.equals(f.sopClassUid())) {
                // no bundle declares OCT input yet: the fundus models must not run on B-scans (refused before decoding)
                throw new ImageLoadException(file, "is an OCT volume (" + f.frames() + " B-scans); FundusLens's models read "
                        + "fundus photographs, so it is not analysed (dicom export --frame N writes a B-scan as PNG).");
            }
            p = DicomImages.render(f, frame);
        } catch (DicomException e) {
            throw new ImageLoadException(file, e.getMessage().substring(e.getMessage().indexOf(": ") + 2), e);
        } catch (OutOfMemoryError e) {
            throw new ImageLoadException(file, "the image is too large for the memory available.", e);
        }
        checkSize(file, p.width(), p.height());
        OphthalmicInfo info = p.info();
        Eye eye = "R".equals(info.laterality()) ? Eye.OD : "L".equals(info.laterality()) ? Eye.OS : Eye.UNKNOWN;
        String what = file.getFileName() + " \u2014 " + SopClass.shortName(info.sopClassUid())
                + (info.frames() > 1 ? " frame " + (frame + 1) + "/" + info.frames() : "");
        return new FundusImage(file, what, p.width(), p.height(), p.rgb(), p.bitsStored(), p.grey(), eye, info.pixelSpacing());
    }

    static void checkSize(Path file, long w, long h) throws ImageLoadException {
        if (w < MIN_SIDE || h < MIN_SIDE) {
            throw new ImageLoadException(file, "is " + w + "x" + h + " pixels; a fundus image needs at least "
                    + MIN_SIDE + " pixels on each side.");
        }
        if (w * h > MAX_PIXELS) {
            throw new ImageLoadException(file, "is " + w + "x" + h + " pixels, more than the "
                    + (MAX_PIXELS / 1_000_000) + " megapixels FundusLens opens.");
        }
    }

    /** Converts any decoded raster to 8-bit RGB, keeping 16-bit precision until the final rounding. */
    static FundusImage convert(Path file, BufferedImage img) throws ImageLoadException {
        int w = img.getWidth();
        int h = img.getHeight();
        checkSize(file, w, h);
        ColorModel cm = img.getColorModel();
        Raster raster = img.getRaster();
        int bands = raster.getNumBands();
        int type = raster.getTransferType();
        boolean direct = cm instanceof ComponentColorModel
                && (type == DataBuffer.TYPE_BYTE || type == DataBuffer.TYPE_USHORT)
                && bands >= 1 && bands <= 4;
        byte[] rgb = new byte[w * h * 3];
        int depth;
        boolean grey;
        if (img.getType() == BufferedImage.TYPE_3BYTE_BGR && raster.getDataBuffer() instanceof java.awt.image.DataBufferByte db
                && raster.getSampleModel() instanceof java.awt.image.PixelInterleavedSampleModel sm
                && sm.getPixelStride() == 3 && sm.getScanlineStride() == w * 3 && raster.getSampleModelTranslateX() == 0
                && raster.getSampleModelTranslateY() == 0) {
            // the JPEG decoder's usual layout: swap B and R straight out of the buffer
            byte[] bgr = db.getData();
            for (int i = 0; i < rgb.length; i += 3) {
                rgb[i] = bgr[i + 2];
                rgb[i + 1] = bgr[i + 1];
                rgb[i + 2] = bgr[i];
            }
            depth = 8;
            grey = false;
        } else if (direct) {
            int colourBands = cm.getNumColorComponents();
            grey = colourBands == 1;
            depth = cm.getComponentSize(0);
            int max = (1 << depth) - 1;
            int[] px = new int[w * bands];
            for (int y = 0; y < h; y++) {
                raster.getPixels(0, y, w, 1, px);
                int o = y * w * 3;
                for (int x = 0; x < w; x++, o += 3) {
                    int p = x * bands;
                    if (grey) {
                        byte v = to8(px[p], max);
                        rgb[o] = v;
                        rgb[o + 1] = v;
                        rgb[o + 2] = v;
                    } else {
                        rgb[o] = to8(px[p], max);
                        rgb[o + 1] = to8(px[p + 1], max);
                        rgb[o + 2] = to8(px[p + 2], max);
                    }
                }
            }
        } else {
            // palettes, packed pixels and other layouts: the colour model converts to sRGB
            grey = cm.getNumColorComponents() == 1;
            depth = Math.min(8, cm.getPixelSize());
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                img.getRGB(0, y, w, 1, row, 0, w);
                int o = y * w * 3;
                for (int x = 0; x < w; x++, o += 3) {
                    int argb = row[x];
                    rgb[o] = (byte) (argb >> 16);
                    rgb[o + 1] = (byte) (argb >> 8);
                    rgb[o + 2] = (byte) argb;
                }
            }
        }
        String name = file.getFileName().toString();
        return new FundusImage(file, name, w, h, rgb, depth, grey, Eye.UNKNOWN);
    }

    private static byte to8(int v, int max) {
        if (max == 255) {
            return (byte) v;
        }
        return (byte) ((v * 255L * 2 + max) / (2L * max));
    }
}
