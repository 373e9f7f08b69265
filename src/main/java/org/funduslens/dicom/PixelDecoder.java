package org.funduslens.dicom;

import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes the pixel data of a frame: uncompressed (8/16/32 bits, planar or interleaved, either byte order),
 * JPEG baseline (the JDK's reader), JPEG lossless (TwelveMonkeys), JPEG 2000 (JAI) and RLE (own). Compressed
 * pixels are read as raw rasters and YBR is converted here with the DICOM formula, never by ImageIO's colour guess.
 * JPEG 2000 signedness follows the codestream (SIZ), whatever Pixel Representation says.
 */
public final class PixelDecoder {
    private static final String JDK_JPEG = "com.sun.imageio.plugins.jpeg.JPEGImageReader";
    private static final String TM_JPEG = "com.twelvemonkeys.imageio.plugins.jpeg.JPEGImageReader";

    private PixelDecoder() {}

    /** What the header says of the pixels, checked once for every decoding path. */
    private record Header(int rows, int cols, int spp, int bitsAllocated, int bitsStored, boolean signed, String pi, int frames) {}

    private static Header header(DicomFile f, int frameIndex) throws DicomException {
        Path file = f.path();
        DicomDataset ds = f.dataset();
        if (!f.hasPixels()) {
            throw new DicomException(file, "has no pixel data (it is not an image).");
        }
        if (!ds.contains(Tag.PIXEL_DATA)) {
            throw new DicomException(file, "holds floating-point pixel data, which FundusLens does not read.");
        }
        int rows = ds.integer(Tag.ROWS, 0);
        int cols = ds.integer(Tag.COLUMNS, 0);
        int spp = ds.integer(Tag.SAMPLES_PER_PIXEL, 1);
        int bitsAllocated = ds.integer(Tag.BITS_ALLOCATED, 8);
        int bitsStored = ds.integer(Tag.BITS_STORED, bitsAllocated);
        boolean signed = ds.integer(Tag.PIXEL_REPRESENTATION, 0) == 1;
        String pi = ds.string(Tag.PHOTOMETRIC_INTERPRETATION);
        pi = pi == null ? (spp == 3 ? "RGB" : "MONOCHROME2") : pi.strip();
        int frames = f.frames();
        if (rows <= 0 || cols <= 0 || (spp != 1 && spp != 3)) {
            throw new DicomException(file, "declares an image of " + cols + "x" + rows + " with " + spp
                    + " samples per pixel, which is not a readable image.");
        }
        if (bitsAllocated != 8 && bitsAllocated != 16 && bitsAllocated != 32) {
            throw new DicomException(file, bitsAllocated + "-bit pixel data is not supported yet.");
        }
        if (bitsStored < 1 || bitsStored > bitsAllocated) {
            throw new DicomException(file, "declares " + bitsStored + " bits stored in " + bitsAllocated + " allocated.");
        }
        if (frameIndex < 0 || frameIndex >= frames) {
            throw new DicomException(file, "has " + frames + " frame" + (frames == 1 ? "" : "s") + ", not a frame "
                    + (frameIndex + 1) + ".");
        }
        if (pi.equals("PALETTE COLOR")) {
            throw new DicomException(file, "uses palette colour, which FundusLens does not read yet.");
        }
        return new Header(rows, cols, spp, bitsAllocated, bitsStored, signed, pi, frames);
    }

    public static Frame decode(DicomFile f, int frameIndex) throws DicomException {
        Path file = f.path();
        DicomDataset ds = f.dataset();
        Header h = header(f, frameIndex);
        int rows = h.rows();
        int cols = h.cols();
        int spp = h.spp();
        int bitsAllocated = h.bitsAllocated();
        int bitsStored = h.bitsStored();
        boolean signed = h.signed();
        String pi = h.pi();
        int frames = h.frames();
        DicomElement px = ds.get(Tag.PIXEL_DATA);
        String ts = f.transferSyntax();
        Frame out;
        if (!px.isEncapsulated()) {
            out = natives(file, px, rows, cols, spp, bitsAllocated, bitsStored, signed, pi, frameIndex,
                    ds.integer(Tag.PLANAR_CONFIGURATION, 0));
        } else {
            byte[] data = frameBytes(file, px.fragments(), frames, frameIndex);
            out = switch (ts) {
                case TransferSyntax.JPEG_BASELINE, TransferSyntax.JPEG_EXTENDED ->
                        imageio(file, data, JDK_JPEG, "jpeg", rows, cols, spp, bitsStored, signed, pi, ts);
                case TransferSyntax.JPEG_LOSSLESS, TransferSyntax.JPEG_LOSSLESS_SV1 ->
                        imageio(file, data, TM_JPEG, "jpeg", rows, cols, spp, bitsStored, signed, pi, ts);
                case TransferSyntax.J2K, TransferSyntax.J2K_LOSSLESS ->
                        imageio(file, data, null, "jpeg2000", rows, cols, spp, bitsStored, j2kSigned(data, signed), pi, ts);
                case TransferSyntax.RLE -> rle(file, data, rows, cols, spp, bitsAllocated, bitsStored, signed, pi);
                default -> throw new DicomException(file, TransferSyntax.unsupported(ts));
            };
        }
        return out;
    }

    /** The compressed bytes of one frame: one fragment per frame, the Basic Offset Table, or all fragments for one frame. */
    static byte[] frameBytes(Path file, List<byte[]> fragments, int frames, int index) throws DicomException {
        if (fragments.isEmpty()) {
            throw new DicomException(file, "its encapsulated pixel data has no offset table and no fragments.");
        }
        byte[] bot = fragments.get(0);
        List<byte[]> data = fragments.subList(1, fragments.size());
        if (data.isEmpty()) {
            throw new DicomException(file, "its encapsulated pixel data has no fragments.");
        }
        if (frames == 1) {
            return concat(data);
        }
        if (data.size() == frames) {
            return data.get(index);
        }
        if (bot.length >= 4 * frames) {
            // offsets into the concatenated fragment items (each with its 8-byte item header)
            long[] off = new long[frames + 1];
            for (int i = 0; i < frames; i++) {
                off[i] = (bot[4 * i] & 0xffL) | (bot[4 * i + 1] & 0xffL) << 8 | (bot[4 * i + 2] & 0xffL) << 16
                        | (bot[4 * i + 3] & 0xffL) << 24;
            }
            List<byte[]> mine = new ArrayList<>();
            long at = 0;
            long end = index + 1 < frames ? off[index + 1] : Long.MAX_VALUE;
            for (byte[] frag : data) {
                if (at >= off[index] && at < end) {
                    mine.add(frag);
                }
                at += frag.length + 8L;
            }
            if (!mine.isEmpty()) {
                return concat(mine);
            }
        }
        throw new DicomException(file, "has " + frames + " frames in " + data.size()
                + " fragments and no usable offset table, so its frames cannot be told apart.");
    }

    private static byte[] concat(List<byte[]> parts) {
        int n = parts.stream().mapToInt(p -> p.length).sum();
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static Frame natives(Path file, DicomElement px, int rows, int cols, int spp, int bitsAllocated, int bitsStored,
                                 boolean signed, String pi, int index, int planar) throws DicomException {
        byte[] v = px.value();
        boolean ybr422 = pi.equals("YBR_FULL_422") && spp == 3;
        long pixels = (long) rows * cols;
        long frameBytes = ybr422 ? pixels * 2 : pixels * spp * (bitsAllocated / 8);
        long start = frameBytes * index;
        if (v == null || start + frameBytes > v.length) {
            throw new DicomException(file, "its pixel data holds " + (v == null ? 0 : v.length) + " bytes, fewer than the "
                    + (start + frameBytes) + " that frame " + (index + 1) + " of " + cols + "x" + rows + " needs.");
        }
        int n = (int) (pixels * spp);
        int[] s = new int[n];
        int bytes = bitsAllocated / 8;
        boolean be = px.bigEndian() && !(bitsAllocated == 8);
        if (ybr422) {
            int o = (int) start;
            for (int i = 0; i < pixels; i += 2) {
                int y1 = v[o] & 0xff;
                int y2 = v[o + 1] & 0xff;
                int cb = v[o + 2] & 0xff;
                int cr = v[o + 3] & 0xff;
                o += 4;
                s[i * 3] = y1;
                s[i * 3 + 1] = cb;
                s[i * 3 + 2] = cr;
                if (i + 1 < pixels) {
                    s[i * 3 + 3] = y2;
                    s[i * 3 + 4] = cb;
                    s[i * 3 + 5] = cr;
                }
            }
            ybrToRgb(s);
            return new Frame(rows, cols, 3, 8, false, "RGB", s);
        }
        for (int k = 0; k < n; k++) {
            // sample k of the interleaved output; with planar configuration 1, planes are stored one after another
            int src = spp == 3 && planar == 1 ? (int) ((k % 3) * pixels + k / 3) : k;
            int o = (int) start + src * bytes;
            long raw = 0;
            for (int j = 0; j < bytes; j++) {
                int by = v[o + (be ? j : bytes - 1 - j)] & 0xff;
                raw = raw << 8 | by;
            }
            s[k] = stored(raw, bitsStored, signed);
        }
        if (spp == 3 && pi.equals("YBR_FULL")) {
            ybrToRgb(s);
            pi = "RGB";
        }
        return new Frame(rows, cols, spp, bitsStored, signed, spp == 3 ? "RGB" : pi, s);
    }

    /** Masks to Bits Stored and sign-extends when signed. */
    static int stored(long raw, int bitsStored, boolean signed) {
        long mask = bitsStored >= 32 ? 0xFFFFFFFFL : (1L << bitsStored) - 1;
        long v = raw & mask;
        if (signed && bitsStored < 64 && (v & (1L << (bitsStored - 1))) != 0) {
            v -= 1L << bitsStored;
        }
        return (int) v;
    }

    private static boolean isIdentityBandOrder(int[] offsets) {
        for (int i = 0; i < offsets.length; i++) {
            if (offsets[i] != i) {
                return false;
            }
        }
        return true;
    }

    // Y is an integer, so round(Y + x) = Y + round(x): the chroma terms can be tabulated exactly
    private static final int[] CR_R = new int[256];
    private static final int[] CB_B = new int[256];
    private static final int[] CB_CR_G = new int[256 * 256];

    static {
        for (int v = 0; v < 256; v++) {
            CR_R[v] = (int) Math.round(1.402 * (v - 128.0));
            CB_B[v] = (int) Math.round(1.772 * (v - 128.0));
        }
        for (int cb = 0; cb < 256; cb++) {
            for (int cr = 0; cr < 256; cr++) {
                CB_CR_G[cb << 8 | cr] = (int) Math.round(-0.344136 * (cb - 128.0) - 0.714136 * (cr - 128.0));
            }
        }
    }

    /** YCbCr (full range) to RGB with the DICOM formula (PS3.3 C.7.6.3.1.2), in place, rounded and clamped. */
    static void ybrToRgb(int[] s) {
        for (int i = 0; i + 2 < s.length; i += 3) {
            int y = s[i];
            int cb = s[i + 1];
            int cr = s[i + 2];
            if ((y | cb | cr) >>> 8 != 0) {
                // outside 8 bits (not from an 8-bit JPEG): the formula itself
                s[i] = clamp(y + 1.402 * (cr - 128.0));
                s[i + 1] = clamp(y - 0.344136 * (cb - 128.0) - 0.714136 * (cr - 128.0));
                s[i + 2] = clamp(y + 1.772 * (cb - 128.0));
                continue;
            }
            s[i] = Math.max(0, Math.min(255, y + CR_R[cr]));
            s[i + 1] = Math.max(0, Math.min(255, y + CB_CR_G[cb << 8 | cr]));
            s[i + 2] = Math.max(0, Math.min(255, y + CB_B[cb]));
        }
    }

    private static int clamp(double v) {
        long r = Math.round(v);
        return (int) Math.max(0, Math.min(255, r));
    }

    /** Decodes a compressed frame to its raw raster with the named ImageIO reader (no colour conversion). */
    private static Raster readRaster(Path file, byte[] data, String readerClass, String format, int rows, int cols, int spp,
                                     String ts) throws DicomException {
        ImageReader reader = null;
        Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName(format);
        List<ImageReader> candidates = new ArrayList<>();
        it.forEachRemaining(candidates::add);
        for (ImageReader r : candidates) {
            if (readerClass == null || r.getClass().getName().equals(readerClass)) {
                reader = r;
                break;
            }
        }
        if (reader == null) {
            throw new DicomException(file, TransferSyntax.unsupported(ts) + " (no " + format + " decoder is installed)");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(data))) {
            reader.setInput(in);
            Raster r = reader.readRaster(0, null);
            if (r.getWidth() != cols || r.getHeight() != rows || r.getNumBands() != spp) {
                throw new DicomException(file, "its compressed frame is " + r.getWidth() + "x" + r.getHeight() + " with "
                        + r.getNumBands() + " samples, but the header says " + cols + "x" + rows + " with " + spp + ".");
            }
            return r;
        } catch (IOException | RuntimeException e) {
            String m = String.valueOf(e.getMessage());
            if (m.contains("precision 12") || m.contains("Unsupported JPEG data precision")) {
                throw new DicomException(file, TransferSyntax.unsupported(ts) + " (12-bit JPEG)", e);
            }
            throw new DicomException(file, "its " + TransferSyntax.name(ts) + " frame cannot be decoded ("
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage().strip()) + ").", e);
        } finally {
            reader.dispose();
        }
    }

    /** The decoder's own byte buffer where the raster is plain interleaved 8-bit samples in band order; else null. */
    private static byte[] interleavedBytes(Raster r, int rows, int cols, int spp) {
        if (r.getDataBuffer() instanceof java.awt.image.DataBufferByte db && db.getNumBanks() == 1
                && r.getSampleModel() instanceof java.awt.image.PixelInterleavedSampleModel sm
                && sm.getPixelStride() == spp && sm.getScanlineStride() == cols * spp
                && isIdentityBandOrder(sm.getBandOffsets()) && r.getMinX() == 0 && r.getMinY() == 0
                && r.getSampleModelTranslateX() == 0 && r.getSampleModelTranslateY() == 0
                && db.getData().length == rows * cols * spp) {
            return db.getData();
        }
        return null;
    }

    private static Frame imageio(Path file, byte[] data, String readerClass, String format, int rows, int cols, int spp,
                                 int bitsStored, boolean signed, String pi, String ts) throws DicomException {
        Raster r = readRaster(file, data, readerClass, format, rows, cols, spp, ts);
        byte[] b = bitsStored == 8 ? interleavedBytes(r, rows, cols, spp) : null;
        int[] s;
        if (b != null) {
            // the usual 8-bit case, straight from the decoder's buffer
            s = new int[cols * rows * spp];
            for (int i = 0; i < s.length; i++) {
                s[i] = b[i] & 0xff;
            }
        } else {
            s = r.getPixels(r.getMinX(), r.getMinY(), cols, rows, (int[]) null);
            // for JPEG 2000 the caller passes the codestream's signedness, for JPEG the header's
            for (int i = 0; i < s.length; i++) {
                s[i] = stored(s[i] & 0xFFFFFFFFL, bitsStored, signed);
            }
        }
        String outPi = pi;
        if (spp == 3 && format.equals("jpeg") && (pi.equals("YBR_FULL") || pi.equals("YBR_FULL_422"))) {
            ybrToRgb(s);
            outPi = "RGB";
        } else if (spp == 3) {
            outPi = "RGB";   // RGB as stored, or JPEG 2000 with its own inverse RCT/ICT
        }
        return new Frame(rows, cols, spp, bitsStored, signed, outPi, s);
    }

    /**
     * The camera photograph's fast path: an 8-bit colour JPEG (baseline or extended) frame straight to interleaved RGB
     * bytes, converting YBR in place and in parallel, without the general path's int samples. The bytes equal
     * {@code DicomImages.toRgb8(decode(f, frameIndex))}; null where the frame is anything else.
     */
    public static byte[] rgb8(DicomFile f, int frameIndex) throws DicomException {
        Header h = header(f, frameIndex);
        String ts = f.transferSyntax();
        DicomElement px = f.dataset().get(Tag.PIXEL_DATA);
        if (!px.isEncapsulated() || h.spp() != 3 || h.bitsAllocated() != 8 || h.bitsStored() != 8
                || !(TransferSyntax.JPEG_BASELINE.equals(ts) || TransferSyntax.JPEG_EXTENDED.equals(ts))
                || !(h.pi().equals("RGB") || h.pi().equals("YBR_FULL") || h.pi().equals("YBR_FULL_422"))) {
            return null;
        }
        byte[] data = frameBytes(f.path(), px.fragments(), h.frames(), frameIndex);
        Raster r = readRaster(f.path(), data, JDK_JPEG, "jpeg", h.rows(), h.cols(), 3, ts);
        byte[] b = interleavedBytes(r, h.rows(), h.cols(), 3);
        if (b == null) {
            return null;
        }
        if (!h.pi().equals("RGB")) {
            int pixels = h.rows() * h.cols();
            int chunks = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors() * 2, pixels / 65_536));
            java.util.stream.IntStream.range(0, chunks).parallel().forEach(c -> {
                int from = (int) ((long) pixels * c / chunks) * 3;
                int to = (int) ((long) pixels * (c + 1) / chunks) * 3;
                for (int i = from; i < to; i += 3) {
                    int y = b[i] & 0xff;
                    int cb = b[i + 1] & 0xff;
                    int cr = b[i + 2] & 0xff;
                    b[i] = (byte) Math.max(0, Math.min(255, y + CR_R[cr]));
                    b[i + 1] = (byte) Math.max(0, Math.min(255, y + CB_CR_G[cb << 8 | cr]));
                    b[i + 2] = (byte) Math.max(0, Math.min(255, y + CB_B[cb]));
                }
            });
        }
        return b;
    }

    /** The sign of a JPEG 2000 codestream's first component (SIZ Ssiz bit 7); the header's value when there is no SIZ. */
    static boolean j2kSigned(byte[] data, boolean fallback) {
        for (int i = 0; i + 42 < data.length && i < 4096; i++) {
            if ((data[i] & 0xff) == 0xFF && (data[i + 1] & 0xff) == 0x51) {
                // SIZ: Lsiz(2) Rsiz(2) Xsiz(4) Ysiz(4) XOsiz(4) YOsiz(4) XTsiz(4) YTsiz(4) XTOsiz(4) YTOsiz(4) Csiz(2) Ssiz0
                int ssiz = data[i + 2 + 38] & 0xff;
                return (ssiz & 0x80) != 0;
            }
        }
        return fallback;
    }

    private static Frame rle(Path file, byte[] data, int rows, int cols, int spp, int bitsAllocated, int bitsStored,
                             boolean signed, String pi) throws DicomException {
        if (data.length < 64) {
            throw new DicomException(file, "its RLE frame is shorter than the 64-byte RLE header.");
        }
        int segments = le32(data, 0);
        int bytes = bitsAllocated / 8;
        if (segments != spp * bytes) {
            throw new DicomException(file, "its RLE frame has " + segments + " segments where " + spp * bytes + " are needed.");
        }
        int pixels = rows * cols;
        byte[][] planes = new byte[segments][];
        for (int sgm = 0; sgm < segments; sgm++) {
            int start = le32(data, 4 + 4 * sgm);
            int end = sgm + 1 < segments ? le32(data, 8 + 4 * sgm) : data.length;
            if (start < 64 || start > data.length || end < start || end > data.length) {
                throw new DicomException(file, "its RLE header points outside the frame.");
            }
            planes[sgm] = packBits(file, data, start, end, pixels);
        }
        int[] s = new int[pixels * spp];
        for (int c = 0; c < spp; c++) {
            for (int p = 0; p < pixels; p++) {
                long raw = 0;
                for (int j = 0; j < bytes; j++) {
                    raw = raw << 8 | (planes[c * bytes + j][p] & 0xff);   // most significant byte first
                }
                s[p * spp + c] = stored(raw, bitsStored, signed);
            }
        }
        String outPi = pi;
        if (spp == 3) {
            if (pi.equals("YBR_FULL")) {
                ybrToRgb(s);
            }
            outPi = "RGB";
        }
        return new Frame(rows, cols, spp, bitsStored, signed, outPi, s);
    }

    private static byte[] packBits(Path file, byte[] d, int start, int end, int n) throws DicomException {
        byte[] out = new byte[n];
        int o = 0;
        int i = start;
        while (o < n && i < end) {
            int c = d[i++];
            if (c >= 0) {
                int len = c + 1;
                if (i + len > end) {
                    len = end - i;
                }
                len = Math.min(len, n - o);
                System.arraycopy(d, i, out, o, len);
                i += c + 1;
                o += len;
            } else if (c != -128) {
                int len = Math.min(1 - c, n - o);
                if (i >= end) {
                    break;
                }
                java.util.Arrays.fill(out, o, o + len, d[i++]);
                o += len;
            }
        }
        if (o < n) {
            throw new DicomException(file, "an RLE segment decodes to " + o + " bytes where " + n + " are needed.");
        }
        return out;
    }

    private static int le32(byte[] d, int at) {
        return (d[at] & 0xff) | (d[at + 1] & 0xff) << 8 | (d[at + 2] & 0xff) << 16 | (d[at + 3] & 0xff) << 24;
    }
}
