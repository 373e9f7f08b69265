package org.funduslens.cli;

/** The CLI's exit codes: a contract that scripts and other tools depend on. */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int BAD_ARGUMENTS = 2;
    public static final int UNREADABLE_INPUT = 3;
    public static final int BAD_BUNDLE = 4;

    private ExitCodes() {}
}
