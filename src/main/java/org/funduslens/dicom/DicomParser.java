package org.funduslens.dicom;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A DICOM Part 10 reader (also files without the preamble, and raw data sets): explicit and implicit VR little
 * endian, explicit big endian, deflated; defined and undefined lengths; nested sequences; encapsulated pixel data.
 * The whole file is read into memory first, so every declared length is checked against the bytes that are really
 * there: a damaged file is refused in one sentence, never with an OutOfMemoryError or a hang.
 */
public final class DicomParser {
    /** Largest file FundusLens reads (a 10-megapixel uncompressed RGB frame is about 30 MB). */
    public static final long MAX_FILE = 1L << 30;
    private static final int MAX_DEPTH = 24;
    private static final Set<String> LONG_VRS = Set.of("OB", "OD", "OF", "OL", "OV", "OW", "SQ", "UC", "UN", "UR", "UT", "SV", "UV");
    private static final String IMPLICIT_LE = "1.2.840.10008.1.2";
    private static final String EXPLICIT_LE = "1.2.840.10008.1.2.1";
    private static final String DEFLATED = "1.2.840.10008.1.2.1.99";
    private static final String EXPLICIT_BE = "1.2.840.10008.1.2.2";

    private final Path file;
    private byte[] b;
    private int pos;
    private int limit;
    private boolean explicit;
    private boolean bigEndian;
    private boolean withPixels;
    private long baseOffset;

    private DicomParser(Path file) {
        this.file = file;
    }

    /** Reads a file; {@code withPixels} false skips the pixel data (for browsing and info). */
    public static DicomFile read(Path file, boolean withPixels) throws DicomException {
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > MAX_FILE) {
                throw new DicomException(file, "is " + size / (1 << 20) + " MB, more than the " + (MAX_FILE >> 20)
                        + " MB FundusLens reads.");
            }
            bytes = Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new DicomException(file, "the file does not exist.", e);
        } catch (IOException e) {
            throw new DicomException(file, "cannot be read (" + e.getMessage() + ").", e);
        }
        return new DicomParser(file).parse(bytes, withPixels);
    }

    /** Whether these first bytes look like DICOM (preamble + DICM, or a data set starting with group 0002 or 0008). */
    public static boolean looksLikeDicom(byte[] head) {
        if (head.length >= 132 && head[128] == 'D' && head[129] == 'I' && head[130] == 'C' && head[131] == 'M') {
            return true;
        }
        if (head.length >= 8) {
            int group = (head[0] & 0xff) | (head[1] & 0xff) << 8;
            int element = (head[2] & 0xff) | (head[3] & 0xff) << 8;
            boolean vrLetters = Character.isUpperCase(head[4]) && Character.isUpperCase(head[5]);
            return (group == 0x0002 || group == 0x0008) && element < 0x0100 && (vrLetters || head[7] == 0);
        }
        return false;
    }

    public static boolean isDicom(Path file) {
        try (var in = Files.newInputStream(file)) {
            return looksLikeDicom(in.readNBytes(132));
        } catch (IOException e) {
            return false;
        }
    }

    private DicomFile parse(byte[] bytes, boolean pixels) throws DicomException {
        this.b = bytes;
        this.withPixels = pixels;
        this.limit = bytes.length;
        boolean preamble = bytes.length >= 132 && bytes[128] == 'D' && bytes[129] == 'I' && bytes[130] == 'C' && bytes[131] == 'M';
        pos = preamble ? 132 : 0;
        if (!preamble && !looksLikeDicom(java.util.Arrays.copyOf(bytes, Math.min(bytes.length, 132)))) {
            throw new DicomException(file, "is not a DICOM file (no DICM marker and no DICOM data set at the start).");
        }
        DicomDataset meta = new DicomDataset();
        explicit = true;
        bigEndian = false;
        // the file meta information is explicit VR little endian; it ends where group 0002 ends
        while (pos + 8 <= limit && u16(pos) == 0x0002) {
            DicomElement e = element(0, meta);
            meta.put(e);
        }
        String ts = meta.string(Tag.TRANSFER_SYNTAX_UID);
        if (ts == null) {
            // no meta header: tell explicit from implicit by whether a VR follows the first tag
            ts = pos + 6 <= limit && Character.isUpperCase(b[pos + 4]) && Character.isUpperCase(b[pos + 5])
                    ? EXPLICIT_LE : IMPLICIT_LE;
        }
        ts = ts.strip();
        int dataStart = pos;
        switch (ts) {
            case IMPLICIT_LE -> explicit = false;
            case EXPLICIT_BE -> bigEndian = true;
            case DEFLATED -> {
                b = inflate(bytes, pos);
                baseOffset = pos;
                pos = 0;
                limit = b.length;
                dataStart = 0;
            }
            default -> { }
        }
        DicomDataset ds = new DicomDataset();
        ds.offset(dataStart);
        parseItems(ds, limit, 0);
        return new DicomFile(file, ts, meta, ds, bytes.length);
    }

    private byte[] inflate(byte[] in, int from) throws DicomException {
        Inflater inf = new Inflater(true);
        inf.setInput(in, from, in.length - from);
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(1024, (in.length - from) * 4));
        byte[] buf = new byte[1 << 16];
        try {
            while (!inf.finished()) {
                int n = inf.inflate(buf);
                if (n == 0 && (inf.needsInput() || inf.needsDictionary())) {
                    break;
                }
                out.write(buf, 0, n);
                if (out.size() > MAX_FILE) {
                    throw new DicomException(file, "its deflated data set expands beyond " + (MAX_FILE >> 20) + " MB.");
                }
            }
        } catch (DataFormatException e) {
            throw new DicomException(file, "its deflated data set is damaged (" + e.getMessage() + ").", e);
        } finally {
            inf.end();
        }
        return out.toByteArray();
    }

    private void parseItems(DicomDataset ds, int end, int depth) throws DicomException {
        Charset cs = ds.charset();
        while (pos < end) {
            if (pos + 8 > end) {
                // trailing padding shorter than a tag
                if (allZero(pos, end)) {
                    pos = end;
                    return;
                }
                throw truncated(pos);
            }
            int tag = tag(pos);
            if (tag == Tag.ITEM_DELIMITATION || tag == Tag.SEQUENCE_DELIMITATION) {
                return;
            }
            DicomElement e = element(depth, ds);
            ds.put(e);
            if (e.tag() == Tag.SPECIFIC_CHARACTER_SET) {
                cs = Charsets.of(e.string(StandardCharsets.US_ASCII));
                ds.charset(cs);
            }
        }
    }

    private boolean allZero(int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private DicomException truncated(int at) {
        return new DicomException(file, "ends in the middle of a data element at byte " + (at + baseOffset)
                + " (the file is truncated or damaged).");
    }

    /** Reads one element at pos (the pixel data without its value when pixels are not wanted). */
    private DicomElement element(int depth, DicomDataset parent) throws DicomException {
        if (depth > MAX_DEPTH) {
            throw new DicomException(file, "nests sequences more than " + MAX_DEPTH + " deep.");
        }
        int start = pos;
        int tag = tag(pos);
        pos += 4;
        String vr;
        long length;
        boolean meta = (tag >>> 16) == 0x0002;
        boolean ex = explicit || meta;
        if (ex) {
            if (pos + 4 > limit) {
                throw truncated(start);
            }
            vr = new String(b, pos, 2, StandardCharsets.US_ASCII);
            if (!vr.chars().allMatch(c -> c >= 'A' && c <= 'Z')) {
                throw new DicomException(file, "element " + Tag.format(tag) + " at byte " + (start + baseOffset)
                        + " has an invalid value representation (the file is damaged or not DICOM).");
            }
            if (LONG_VRS.contains(vr)) {
                if (pos + 8 > limit) {
                    throw truncated(start);
                }
                length = u32(pos + 4);
                pos += 8;
            } else {
                length = u16(pos + 2);
                pos += 4;
            }
        } else {
            vr = Dictionary.vr(tag);
            if (pos + 4 > limit) {
                throw truncated(start);
            }
            length = u32(pos);
            pos += 4;
        }
        boolean undefined = length == 0xFFFFFFFFL;
        if (tag == Tag.PIXEL_DATA && !withPixels) {
            if (undefined) {
                fragments(start, false);
            } else {
                checkLength(tag, start, length);
                pos += (int) length;
            }
            // present, not read: a marker without a value
            return new DicomElement(tag, vr, null, null, null, bigEndian && !meta);
        }
        if (tag == Tag.PIXEL_DATA && undefined) {
            return new DicomElement(tag, vr, null, null, fragments(start, true), bigEndian && !meta);
        }
        if (vr.equals("SQ") || (undefined && (vr.equals("UN") || !ex))
                || (!ex && vr.equals("UN") && length >= 8 && pos + 4 <= limit && tag(pos) == Tag.ITEM)) {
            boolean savedExplicit = explicit;
            if (vr.equals("UN") && ex && undefined) {
                explicit = false;   // PS3.5 6.2.2: UN of undefined length is implicit VR little endian inside
            }
            List<DicomDataset> items = sequence(tag, start, length, depth, parent.charset());
            explicit = savedExplicit;
            return new DicomElement(tag, "SQ", null, items, null, bigEndian && !meta);
        }
        if (undefined) {
            throw new DicomException(file, "element " + Tag.format(tag) + " has an undefined length but is not a sequence.");
        }
        checkLength(tag, start, length);
        byte[] v = java.util.Arrays.copyOfRange(b, pos, pos + (int) length);
        pos += (int) length;
        return new DicomElement(tag, vr, v, null, null, bigEndian && !meta);
    }

    private void checkLength(int tag, int start, long length) throws DicomException {
        if (length > limit - pos) {
            throw new DicomException(file, "element " + Tag.format(tag) + " at byte " + (start + baseOffset) + " declares "
                    + length + " bytes but only " + (limit - pos) + " remain (the file is truncated or damaged).");
        }
    }

    private List<DicomDataset> sequence(int tag, int start, long length, int depth, Charset cs) throws DicomException {
        List<DicomDataset> items = new ArrayList<>();
        int end;
        if (length == 0xFFFFFFFFL) {
            end = limit;
        } else {
            checkLength(tag, start, length);
            end = pos + (int) length;
        }
        while (pos < end) {
            if (pos + 8 > limit) {
                throw truncated(pos);
            }
            int t = tag(pos);
            long len = u32(pos + 4);
            if (t == Tag.SEQUENCE_DELIMITATION) {
                pos += 8;
                return items;
            }
            if (t != Tag.ITEM) {
                throw new DicomException(file, "sequence " + Tag.format(tag) + " holds " + Tag.format(t)
                        + " where an item should be (the file is damaged).");
            }
            int itemStart = pos;
            pos += 8;
            DicomDataset item = new DicomDataset();
            item.charset(cs);
            item.offset(itemStart + baseOffset);
            if (len == 0xFFFFFFFFL) {
                parseItems(item, limit, depth + 1);
                if (pos + 8 <= limit && tag(pos) == Tag.ITEM_DELIMITATION) {
                    pos += 8;
                } else if (pos < limit) {
                    throw new DicomException(file, "an item of " + Tag.format(tag) + " does not end properly.");
                } else {
                    throw truncated(itemStart);
                }
            } else {
                if (len > limit - pos) {
                    throw new DicomException(file, "an item of " + Tag.format(tag) + " declares " + len
                            + " bytes, more than the file holds (the file is truncated or damaged).");
                }
                // an item longer than its sequence's stated length (seen in edited DICOMDIRs): the item wins
                end = Math.max(end, pos + (int) len);
                parseItems(item, pos + (int) len, depth + 1);
                if (pos + 8 <= limit && tag(pos) == Tag.ITEM_DELIMITATION) {
                    pos += 8;
                }
            }
            items.add(item);
        }
        if (length == 0xFFFFFFFFL) {
            throw truncated(start);
        }
        return items;
    }

    /** Walks encapsulated pixel data to its sequence delimiter; returns the fragments, or null when not kept. */
    private List<byte[]> fragments(int start, boolean keep) throws DicomException {
        List<byte[]> out = keep ? new ArrayList<>() : null;
        while (true) {
            if (pos + 8 > limit) {
                throw new DicomException(file, "its encapsulated pixel data ends without a sequence delimiter "
                        + "(the file is truncated).");
            }
            int t = tag(pos);
            long len = u32(pos + 4);
            pos += 8;
            if (t == Tag.SEQUENCE_DELIMITATION) {
                return out;
            }
            if (t != Tag.ITEM) {
                throw new DicomException(file, "its encapsulated pixel data holds " + Tag.format(t)
                        + " where a fragment should be (the file is damaged).");
            }
            checkLength(Tag.PIXEL_DATA, start, len);
            if (keep) {
                out.add(java.util.Arrays.copyOfRange(b, pos, pos + (int) len));
            }
            pos += (int) len;
        }
    }

    private int tag(int at) {
        return u16(at) << 16 | u16(at + 2);
    }

    private int u16(int at) {
        boolean be = bigEndian;
        return be ? (b[at] & 0xff) << 8 | (b[at + 1] & 0xff) : (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
    }

    private long u32(int at) {
        boolean be = bigEndian;
        long v = be ? (long) (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff)
                : (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (long) (b[at + 3] & 0xff) << 24;
        return v & 0xFFFFFFFFL;
    }

}
