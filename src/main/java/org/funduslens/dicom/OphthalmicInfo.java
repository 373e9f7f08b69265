package org.funduslens.dicom;

/**
 * What FundusLens shows and logs about a DICOM image: identifiers (UIDs only; patient name and ID are for the
 * browser alone and are not part of this record), the image's geometry and the ophthalmic acquisition attributes.
 *
 * @param laterality "R", "L", "B" or null: Image Laterality, else the series Laterality
 */
public record OphthalmicInfo(String sopClassUid, String sopInstanceUid, String studyInstanceUid, String seriesInstanceUid,
                             String transferSyntax, String modality, int rows, int columns, int frames, int samplesPerPixel,
                             int bitsStored, String photometric, String laterality, String acquisitionDevice,
                             String anatomicRegion, Double horizontalFieldOfView, double[] pixelSpacing, String manufacturer,
                             String model, String acquisitionDateTime, String seriesDescription) {

    public static OphthalmicInfo of(DicomFile f) {
        DicomDataset d = f.dataset();
        String lat = d.string(Tag.IMAGE_LATERALITY);
        if (lat == null) {
            lat = d.string(Tag.LATERALITY);
        }
        Double sy = d.number(Tag.PIXEL_SPACING, 0);
        Double sx = d.number(Tag.PIXEL_SPACING, 1);
        String dt = d.string(Tag.ACQUISITION_DATE_TIME);
        if (dt == null && d.string(Tag.STUDY_DATE) != null) {
            dt = d.string(Tag.STUDY_DATE) + (d.string(Tag.STUDY_TIME) == null ? "" : d.string(Tag.STUDY_TIME));
        }
        return new OphthalmicInfo(f.sopClassUid(), d.string(Tag.SOP_INSTANCE_UID), d.string(Tag.STUDY_INSTANCE_UID),
                d.string(Tag.SERIES_INSTANCE_UID), f.transferSyntax(), d.string(Tag.MODALITY), d.integer(Tag.ROWS, 0),
                d.integer(Tag.COLUMNS, 0), f.frames(), d.integer(Tag.SAMPLES_PER_PIXEL, 1),
                d.integer(Tag.BITS_STORED, d.integer(Tag.BITS_ALLOCATED, 8)), d.string(Tag.PHOTOMETRIC_INTERPRETATION),
                lat == null ? null : lat.strip().toUpperCase(java.util.Locale.ROOT),
                d.codeMeaning(Tag.ACQUISITION_DEVICE_TYPE_CODE_SEQUENCE), d.codeMeaning(Tag.ANATOMIC_REGION_SEQUENCE),
                d.number(Tag.HORIZONTAL_FIELD_OF_VIEW, 0), sy == null ? null : new double[] {sy, sx == null ? sy : sx},
                d.string(Tag.MANUFACTURER), d.string(Tag.MANUFACTURER_MODEL_NAME), dt, d.string(Tag.SERIES_DESCRIPTION));
    }

    public String sopClassName() {
        return SopClass.name(sopClassUid);
    }
}
