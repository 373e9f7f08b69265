package org.funduslens.dicom;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.util.List;

/**
 * One data element: its tag and VR, and its value as bytes, as a sequence of items, or (encapsulated pixel data) as
 * fragments.
 */
public record DicomElement(int tag, String vr, byte[] value, List<DicomDataset> items, List<byte[]> fragments,
                           boolean bigEndian) {

    public boolean isSequence() {
        return items != null;
    }

    public boolean isEncapsulated() {
        return fragments != null;
    }

    /** Text values (backslash-separated for multiple values), trailing padding removed. */
    public String string(Charset cs) {
        if (value == null) {
            return null;
        }
        String s = new String(value, cs);
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\0')) {
            end--;
        }
        int start = 0;
        if (!vr.equals("LT") && !vr.equals("ST") && !vr.equals("UT")) {
            while (start < end && s.charAt(start) == ' ') {
                start++;
            }
        }
        return s.substring(start, end);
    }

    private ByteBuffer buffer() {
        return ByteBuffer.wrap(value).order(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
    }

    /** The first numeric value, whatever the VR (binary or text); null when absent or unreadable. */
    public Double number(int index) {
        if (value == null) {
            return null;
        }
        try {
            return switch (vr) {
                case "US" -> value.length >= 2 * (index + 1) ? (double) (buffer().getShort(2 * index) & 0xFFFF) : null;
                case "SS" -> value.length >= 2 * (index + 1) ? (double) buffer().getShort(2 * index) : null;
                case "UL" -> value.length >= 4 * (index + 1) ? (double) (buffer().getInt(4 * index) & 0xFFFFFFFFL) : null;
                case "SL" -> value.length >= 4 * (index + 1) ? (double) buffer().getInt(4 * index) : null;
                case "FL" -> value.length >= 4 * (index + 1) ? (double) buffer().getFloat(4 * index) : null;
                case "FD" -> value.length >= 8 * (index + 1) ? buffer().getDouble(8 * index) : null;
                default -> {
                    String[] parts = string(java.nio.charset.StandardCharsets.ISO_8859_1).split("\\\\");
                    yield index < parts.length && !parts[index].isBlank() ? Double.parseDouble(parts[index].strip()) : null;
                }
            };
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
