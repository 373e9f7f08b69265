package org.funduslens.study;

/** The similar-case index cannot be opened, written or read; one sentence naming the file. */
public final class SimilarCaseException extends Exception {
    public SimilarCaseException(String message, Throwable cause) {
        super(message, cause);
    }
}
