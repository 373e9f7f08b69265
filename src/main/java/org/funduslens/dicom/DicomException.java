package org.funduslens.dicom;

import java.nio.file.Path;

/** A DICOM file that cannot be used; the message is one sentence naming the file and the problem. */
public final class DicomException extends Exception {
    public DicomException(Path file, String problem) {
        super((file == null ? "DICOM data" : file.getFileName().toString()) + ": " + problem);
    }

    public DicomException(Path file, String problem, Throwable cause) {
        super((file == null ? "DICOM data" : file.getFileName().toString()) + ": " + problem, cause);
    }
}
