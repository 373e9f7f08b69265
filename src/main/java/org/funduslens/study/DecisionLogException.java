package org.funduslens.study;

/** The decision log cannot be opened, written or read; one sentence naming the file. */
public final class DecisionLogException extends Exception {
    public DecisionLogException(String message, Throwable cause) {
        super(message, cause);
    }
}
