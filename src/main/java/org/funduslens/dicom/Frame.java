package org.funduslens.dicom;

/**
 * One decoded frame as stored values: {@code samples} interleaved (rows x columns x samplesPerPixel), already
 * sign-extended and masked to Bits Stored; colour frames are RGB (YBR converted with the DICOM formula), grey frames
 * keep their photometric interpretation (MONOCHROME1 is inverted only for display).
 */
public record Frame(int rows, int columns, int samplesPerPixel, int bitsStored, boolean signed, String photometric,
                    int[] samples) {

    public boolean grey() {
        return samplesPerPixel == 1;
    }
}
