package org.funduslens.dicom;

import java.util.Map;

/** Transfer syntaxes by UID, and which of them FundusLens decodes. */
public final class TransferSyntax {
    public static final String IMPLICIT_LE = "1.2.840.10008.1.2";
    public static final String EXPLICIT_LE = "1.2.840.10008.1.2.1";
    public static final String DEFLATED_LE = "1.2.840.10008.1.2.1.99";
    public static final String EXPLICIT_BE = "1.2.840.10008.1.2.2";
    public static final String JPEG_BASELINE = "1.2.840.10008.1.2.4.50";
    public static final String JPEG_EXTENDED = "1.2.840.10008.1.2.4.51";
    public static final String JPEG_LOSSLESS = "1.2.840.10008.1.2.4.57";
    public static final String JPEG_LOSSLESS_SV1 = "1.2.840.10008.1.2.4.70";
    public static final String JPEG_LS_LOSSLESS = "1.2.840.10008.1.2.4.80";
    public static final String JPEG_LS_NEAR = "1.2.840.10008.1.2.4.81";
    public static final String J2K_LOSSLESS = "1.2.840.10008.1.2.4.90";
    public static final String J2K = "1.2.840.10008.1.2.4.91";
    public static final String RLE = "1.2.840.10008.1.2.5";

    private static final Map<String, String> NAMES = Map.ofEntries(
            Map.entry(IMPLICIT_LE, "Implicit VR Little Endian"), Map.entry(EXPLICIT_LE, "Explicit VR Little Endian"),
            Map.entry(DEFLATED_LE, "Deflated Explicit VR Little Endian"), Map.entry(EXPLICIT_BE, "Explicit VR Big Endian"),
            Map.entry(JPEG_BASELINE, "JPEG Baseline"), Map.entry(JPEG_EXTENDED, "JPEG Extended"),
            Map.entry(JPEG_LOSSLESS, "JPEG Lossless"), Map.entry(JPEG_LOSSLESS_SV1, "JPEG Lossless SV1"),
            Map.entry(JPEG_LS_LOSSLESS, "JPEG-LS Lossless"), Map.entry(JPEG_LS_NEAR, "JPEG-LS Near-Lossless"),
            Map.entry(J2K_LOSSLESS, "JPEG 2000 Lossless"), Map.entry(J2K, "JPEG 2000"), Map.entry(RLE, "RLE Lossless"),
            Map.entry("1.2.840.10008.1.2.4.100", "MPEG2"), Map.entry("1.2.840.10008.1.2.4.102", "MPEG-4"),
            Map.entry("1.2.840.10008.1.2.4.201", "HTJ2K Lossless"), Map.entry("1.2.840.10008.1.2.4.203", "HTJ2K"));

    private TransferSyntax() {}

    public static String name(String uid) {
        return NAMES.getOrDefault(uid, "unknown");
    }

    public static boolean uncompressed(String uid) {
        return IMPLICIT_LE.equals(uid) || EXPLICIT_LE.equals(uid) || DEFLATED_LE.equals(uid) || EXPLICIT_BE.equals(uid);
    }

    /** The one sentence for a transfer syntax FundusLens cannot decode. */
    static String unsupported(String uid) {
        return "transfer syntax " + uid + " (" + name(uid) + ") is not supported yet.";
    }
}
