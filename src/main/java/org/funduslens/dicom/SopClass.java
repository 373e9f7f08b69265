package org.funduslens.dicom;

import java.util.Map;

/** The SOP classes a fundus viewer meets, by UID. */
public final class SopClass {
    public static final String OP_8 = "1.2.840.10008.5.1.4.1.1.77.1.5.1";
    public static final String OP_16 = "1.2.840.10008.5.1.4.1.1.77.1.5.2";
    public static final String OPT = "1.2.840.10008.5.1.4.1.1.77.1.5.4";
    public static final String WIDE_FIELD_STEREO = "1.2.840.10008.5.1.4.1.1.77.1.5.5";
    public static final String WIDE_FIELD_3D = "1.2.840.10008.5.1.4.1.1.77.1.5.6";
    public static final String OCT_EN_FACE = "1.2.840.10008.5.1.4.1.1.77.1.5.7";
    public static final String OCT_BSCAN_ANALYSIS = "1.2.840.10008.5.1.4.1.1.77.1.5.8";
    public static final String VL_PHOTOGRAPHIC = "1.2.840.10008.5.1.4.1.1.77.1.4";
    public static final String SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7";
    public static final String MF_TRUE_COLOR_SC = "1.2.840.10008.5.1.4.1.1.7.4";

    private static final Map<String, String> NAMES = Map.ofEntries(
            Map.entry(OP_8, "Ophthalmic Photography 8 Bit"), Map.entry(OP_16, "Ophthalmic Photography 16 Bit"),
            Map.entry(OPT, "Ophthalmic Tomography (OCT)"), Map.entry(WIDE_FIELD_STEREO, "Wide Field OP (stereographic)"),
            Map.entry(WIDE_FIELD_3D, "Wide Field OP (3D coordinates)"), Map.entry(OCT_EN_FACE, "OCT En Face"),
            Map.entry(OCT_BSCAN_ANALYSIS, "OCT B-scan Volume Analysis"), Map.entry(VL_PHOTOGRAPHIC, "VL Photographic"),
            Map.entry(SECONDARY_CAPTURE, "Secondary Capture"),
            Map.entry("1.2.840.10008.5.1.4.1.1.7.2", "Multi-frame Grayscale Byte SC"),
            Map.entry("1.2.840.10008.5.1.4.1.1.7.3", "Multi-frame Grayscale Word SC"),
            Map.entry(MF_TRUE_COLOR_SC, "Multi-frame True Color SC"),
            Map.entry("1.2.840.10008.5.1.4.1.1.2", "CT"), Map.entry("1.2.840.10008.5.1.4.1.1.4", "MR"),
            Map.entry("1.2.840.10008.5.1.4.1.1.1", "CR"), Map.entry("1.2.840.10008.5.1.4.1.1.6.1", "Ultrasound"),
            Map.entry("1.2.840.10008.5.1.4.1.1.104.1", "Encapsulated PDF"),
            Map.entry("1.2.840.10008.1.3.10", "Media Storage Directory (DICOMDIR)"));

    private SopClass() {}

    public static String name(String uid) {
        return uid == null ? "unknown" : NAMES.getOrDefault(uid, "other (" + uid + ")");
    }

    private static final Map<String, String> SHORT = Map.of(OP_8, "OP 8-bit", OP_16, "OP 16-bit", OPT, "OCT",
            WIDE_FIELD_STEREO, "Wide-field OP", WIDE_FIELD_3D, "Wide-field OP", VL_PHOTOGRAPHIC, "VL photo",
            SECONDARY_CAPTURE, "SC", MF_TRUE_COLOR_SC, "True-colour SC");

    /** A few characters for lists and status bars. */
    public static String shortName(String uid) {
        return uid == null ? "?" : SHORT.getOrDefault(uid, name(uid));
    }

    /** Photographs of the fundus or the eye that the models read. */
    public static boolean photograph(String uid) {
        return OP_8.equals(uid) || OP_16.equals(uid) || WIDE_FIELD_STEREO.equals(uid) || WIDE_FIELD_3D.equals(uid)
                || VL_PHOTOGRAPHIC.equals(uid) || SECONDARY_CAPTURE.equals(uid) || MF_TRUE_COLOR_SC.equals(uid);
    }
}
