package org.funduslens.dicom;

import java.nio.file.Path;

/** A parsed DICOM file: its transfer syntax, file meta information and data set. */
public record DicomFile(Path path, String transferSyntax, DicomDataset meta, DicomDataset dataset, long size) {

    public String sopClassUid() {
        String s = dataset.string(Tag.SOP_CLASS_UID);
        return s != null ? s : meta.string(Tag.MEDIA_STORAGE_SOP_CLASS_UID);
    }

    public boolean hasPixels() {
        return dataset.contains(Tag.PIXEL_DATA) || dataset.contains(Tag.FLOAT_PIXEL_DATA);
    }

    public int frames() {
        return Math.max(1, dataset.integer(Tag.NUMBER_OF_FRAMES, 1));
    }
}
