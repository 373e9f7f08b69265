package org.funduslens.model;

/** A model bundle that cannot be used; the message is one sentence naming the file and the problem. */
public final class BundleException extends Exception {
    public BundleException(String message) {
        super(message);
    }

    public BundleException(String message, Throwable cause) {
        super(message, cause);
    }
}
