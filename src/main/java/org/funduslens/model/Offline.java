package org.funduslens.model;

/**
 * Keeps DJL from calling home: without these settings its engine start-up contacts the EC2 metadata address and
 * a usage-report URL. Set by the launcher, the tests and the packaged application; {@link #ensure} repeats it
 * before any DJL class runs so no entry point can forget.
 */
public final class Offline {
    private Offline() {}

    public static void ensure() {
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("OPT_OUT_TRACKING", "true");
    }
}
