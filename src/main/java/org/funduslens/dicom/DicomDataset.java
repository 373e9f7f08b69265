package org.funduslens.dicom;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A DICOM data set (the top level or one sequence item), with the character set that its text uses. */
public final class DicomDataset {
    private final Map<Integer, DicomElement> elements = new TreeMap<>(Integer::compareUnsigned);
    private Charset charset = StandardCharsets.ISO_8859_1;
    private long offset;

    void put(DicomElement e) {
        elements.put(e.tag(), e);
    }

    void charset(Charset cs) {
        this.charset = cs;
    }

    /** Where this item starts in the file (DICOMDIR records point at items by offset). */
    public long offset() {
        return offset;
    }

    void offset(long o) {
        this.offset = o;
    }

    public Charset charset() {
        return charset;
    }

    public DicomElement get(int tag) {
        return elements.get(tag);
    }

    public boolean contains(int tag) {
        return elements.containsKey(tag);
    }

    public Collection<DicomElement> elements() {
        return elements.values();
    }

    public String string(int tag) {
        DicomElement e = elements.get(tag);
        if (e == null || e.value() == null) {
            return null;
        }
        String s = e.string(charset);
        return s.isEmpty() ? null : s;
    }

    public int integer(int tag, int fallback) {
        DicomElement e = elements.get(tag);
        Double d = e == null ? null : e.number(0);
        return d == null ? fallback : (int) Math.round(d);
    }

    public Double number(int tag, int index) {
        DicomElement e = elements.get(tag);
        return e == null ? null : e.number(index);
    }

    public List<DicomDataset> items(int tag) {
        DicomElement e = elements.get(tag);
        return e == null || e.items() == null ? List.of() : e.items();
    }

    /** Code meaning of the first item of a code sequence (e.g. Anatomic Region Sequence), else its code value. */
    public String codeMeaning(int sequenceTag) {
        List<DicomDataset> items = items(sequenceTag);
        if (items.isEmpty()) {
            return null;
        }
        String m = items.get(0).string(Tag.CODE_MEANING);
        return m != null ? m : items.get(0).string(Tag.CODE_VALUE);
    }
}
