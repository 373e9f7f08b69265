package org.funduslens.dicom;

/** A DICOMweb request that failed; one sentence naming the server. {@code status} is the HTTP status, 0 when none. */
public final class DicomWebException extends Exception {
    private final int status;

    public DicomWebException(String message, int status) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
