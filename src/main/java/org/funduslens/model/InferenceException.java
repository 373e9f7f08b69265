package org.funduslens.model;

/** The network failed on an input it accepted; the message is one sentence naming the model file. */
public final class InferenceException extends Exception {
    public InferenceException(String message, Throwable cause) {
        super(message, cause);
    }
}
