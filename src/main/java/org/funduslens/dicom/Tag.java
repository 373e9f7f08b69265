package org.funduslens.dicom;

/** The tags FundusLens reads, as (group << 16 | element). */
public final class Tag {
    private Tag() {}

    public static final int TRANSFER_SYNTAX_UID = 0x00020010;
    public static final int MEDIA_STORAGE_SOP_CLASS_UID = 0x00020002;
    public static final int SPECIFIC_CHARACTER_SET = 0x00080005;
    public static final int IMAGE_TYPE = 0x00080008;
    public static final int SOP_CLASS_UID = 0x00080016;
    public static final int SOP_INSTANCE_UID = 0x00080018;
    public static final int STUDY_DATE = 0x00080020;
    public static final int ACQUISITION_DATE_TIME = 0x0008002A;
    public static final int STUDY_TIME = 0x00080030;
    public static final int MODALITY = 0x00080060;
    public static final int MANUFACTURER = 0x00080070;
    public static final int STUDY_DESCRIPTION = 0x00081030;
    public static final int SERIES_DESCRIPTION = 0x0008103E;
    public static final int MANUFACTURER_MODEL_NAME = 0x00081090;
    public static final int ANATOMIC_REGION_SEQUENCE = 0x00082218;
    public static final int CODE_VALUE = 0x00080100;
    public static final int CODING_SCHEME_DESIGNATOR = 0x00080102;
    public static final int CODE_MEANING = 0x00080104;
    public static final int PATIENT_NAME = 0x00100010;
    public static final int PATIENT_ID = 0x00100020;
    public static final int ACQUISITION_DEVICE_TYPE_CODE_SEQUENCE = 0x00220015;
    public static final int HORIZONTAL_FIELD_OF_VIEW = 0x0022000C;
    public static final int STUDY_INSTANCE_UID = 0x0020000D;
    public static final int SERIES_INSTANCE_UID = 0x0020000E;
    public static final int STUDY_ID = 0x00200010;
    public static final int SERIES_NUMBER = 0x00200011;
    public static final int INSTANCE_NUMBER = 0x00200013;
    public static final int LATERALITY = 0x00200060;
    public static final int IMAGE_LATERALITY = 0x00200062;
    public static final int SAMPLES_PER_PIXEL = 0x00280002;
    public static final int PHOTOMETRIC_INTERPRETATION = 0x00280004;
    public static final int PLANAR_CONFIGURATION = 0x00280006;
    public static final int NUMBER_OF_FRAMES = 0x00280008;
    public static final int ROWS = 0x00280010;
    public static final int COLUMNS = 0x00280011;
    public static final int PIXEL_SPACING = 0x00280030;
    public static final int BITS_ALLOCATED = 0x00280100;
    public static final int BITS_STORED = 0x00280101;
    public static final int HIGH_BIT = 0x00280102;
    public static final int PIXEL_REPRESENTATION = 0x00280103;
    public static final int WINDOW_CENTER = 0x00281050;
    public static final int WINDOW_WIDTH = 0x00281051;
    public static final int RESCALE_INTERCEPT = 0x00281052;
    public static final int RESCALE_SLOPE = 0x00281053;
    public static final int PIXEL_DATA = 0x7FE00010;
    public static final int FLOAT_PIXEL_DATA = 0x7FE00008;
    public static final int DOUBLE_PIXEL_DATA = 0x7FE00009;
    // DICOMDIR
    public static final int DIRECTORY_RECORD_SEQUENCE = 0x00041220;
    public static final int NEXT_RECORD_OFFSET = 0x00041400;
    public static final int LOWER_LEVEL_OFFSET = 0x00041420;
    public static final int FIRST_RECORD_OFFSET = 0x00041200;
    public static final int DIRECTORY_RECORD_TYPE = 0x00041430;
    public static final int REFERENCED_FILE_ID = 0x00041500;
    public static final int REFERENCED_SOP_CLASS_UID_IN_FILE = 0x00041510;
    public static final int REFERENCED_SOP_INSTANCE_UID_IN_FILE = 0x00041511;
    public static final int REFERENCED_TRANSFER_SYNTAX_UID_IN_FILE = 0x00041512;

    static final int ITEM = 0xFFFEE000;
    static final int ITEM_DELIMITATION = 0xFFFEE00D;
    static final int SEQUENCE_DELIMITATION = 0xFFFEE0DD;

    public static String format(int tag) {
        return String.format("(%04X,%04X)", tag >>> 16, tag & 0xFFFF);
    }
}
