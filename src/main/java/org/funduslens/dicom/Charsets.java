package org.funduslens.dicom;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Specific Character Set (0008,0005) to Java charsets; the first value decides (code extensions are approximated). */
final class Charsets {
    private static final Map<String, String> NAMES = Map.ofEntries(
            Map.entry("ISO_IR 6", "US-ASCII"), Map.entry("ISO 2022 IR 6", "US-ASCII"),
            Map.entry("ISO_IR 100", "ISO-8859-1"), Map.entry("ISO 2022 IR 100", "ISO-8859-1"),
            Map.entry("ISO_IR 101", "ISO-8859-2"), Map.entry("ISO 2022 IR 101", "ISO-8859-2"),
            Map.entry("ISO_IR 109", "ISO-8859-3"), Map.entry("ISO 2022 IR 109", "ISO-8859-3"),
            Map.entry("ISO_IR 110", "ISO-8859-4"), Map.entry("ISO 2022 IR 110", "ISO-8859-4"),
            Map.entry("ISO_IR 144", "ISO-8859-5"), Map.entry("ISO 2022 IR 144", "ISO-8859-5"),
            Map.entry("ISO_IR 127", "ISO-8859-6"), Map.entry("ISO 2022 IR 127", "ISO-8859-6"),
            Map.entry("ISO_IR 126", "ISO-8859-7"), Map.entry("ISO 2022 IR 126", "ISO-8859-7"),
            Map.entry("ISO_IR 138", "ISO-8859-8"), Map.entry("ISO 2022 IR 138", "ISO-8859-8"),
            Map.entry("ISO_IR 148", "ISO-8859-9"), Map.entry("ISO 2022 IR 148", "ISO-8859-9"),
            Map.entry("ISO_IR 203", "ISO-8859-15"), Map.entry("ISO 2022 IR 203", "ISO-8859-15"),
            Map.entry("ISO_IR 13", "Shift_JIS"), Map.entry("ISO 2022 IR 13", "Shift_JIS"),
            Map.entry("ISO_IR 166", "TIS-620"), Map.entry("ISO 2022 IR 166", "TIS-620"),
            Map.entry("ISO 2022 IR 87", "ISO-2022-JP"), Map.entry("ISO 2022 IR 159", "ISO-2022-JP"),
            Map.entry("ISO 2022 IR 149", "EUC-KR"), Map.entry("ISO 2022 IR 58", "GB2312"),
            Map.entry("ISO_IR 192", "UTF-8"), Map.entry("GB18030", "GB18030"), Map.entry("GBK", "GBK"));

    private Charsets() {}

    static Charset of(String value) {
        if (value == null || value.isBlank()) {
            return StandardCharsets.ISO_8859_1;
        }
        String[] parts = value.split("\\\\");
        if (parts.length == 0) {
            return StandardCharsets.ISO_8859_1;
        }
        // a first value that is empty means the default repertoire, extended by the second
        String first = parts[0].strip().isEmpty() && parts.length > 1 ? parts[1].strip() : parts[0].strip();
        String name = NAMES.get(first);
        if (name == null && parts.length > 1) {
            name = NAMES.get(parts[1].strip());
        }
        try {
            return name == null ? StandardCharsets.ISO_8859_1 : Charset.forName(name);
        } catch (RuntimeException e) {
            return StandardCharsets.ISO_8859_1;
        }
    }
}
