package org.funduslens.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Where FundusLens keeps the user's own files (decision log, recent files): the one place that decides it. */
public final class DataFolder {
    public static final String PROPERTY = "funduslens.data.dir";
    public static final String ENV = "FUNDUSLENS_DATA_DIR";

    private DataFolder() {}

    /**
     * The property, then the environment variable, then the platform's per-user data folder:
     * %APPDATA%\FundusLens on Windows, ~/Library/Application Support/FundusLens on macOS,
     * $XDG_DATA_HOME/funduslens (default ~/.local/share/funduslens) elsewhere.
     */
    public static Path path() {
        String prop = System.getProperty(PROPERTY);
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop).toAbsolutePath();
        }
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            return Path.of(env).toAbsolutePath();
        }
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        Path home = Path.of(System.getProperty("user.home"));
        if (os.contains("win")) {
            String appData = System.getenv("APPDATA");
            return (appData != null ? Path.of(appData) : home.resolve("AppData").resolve("Roaming")).resolve("FundusLens");
        }
        if (os.contains("mac")) {
            return home.resolve("Library").resolve("Application Support").resolve("FundusLens");
        }
        String xdg = System.getenv("XDG_DATA_HOME");
        return (xdg != null && !xdg.isBlank() ? Path.of(xdg) : home.resolve(".local").resolve("share")).resolve("funduslens");
    }

    /** The folder, created if needed. */
    public static Path ensure() throws IOException {
        return Files.createDirectories(path());
    }
}
