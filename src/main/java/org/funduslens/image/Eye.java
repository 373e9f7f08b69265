package org.funduslens.image;

/** Which eye a photograph shows, where the source says so. */
public enum Eye {
    /** Oculus dexter, the right eye. */
    OD,
    /** Oculus sinister, the left eye. */
    OS,
    UNKNOWN
}
