package org.funduslens.util;

/** The application version from the jar manifest (or "development" when run from classes). */
public final class AppVersion {
    private AppVersion() {}

    public static String text() {
        String v = AppVersion.class.getPackage().getImplementationVersion();
        return v == null ? "development" : v;
    }
}
