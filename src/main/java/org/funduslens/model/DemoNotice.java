package org.funduslens.model;

/** The words every surface shows for a prediction from a random-weight demo bundle. */
public final class DemoNotice {
    public static final String TEXT = "DEMO \u2014 random weights, not a diagnosis";

    private DemoNotice() {}
}
