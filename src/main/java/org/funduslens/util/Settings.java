package org.funduslens.util;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The user's preferences, one JSON file in the data folder: theme, text size, execution provider, an extra bundles
 * folder, and the window's last place and size. Unknown or damaged files fall back to the defaults (and say why).
 *
 * @param theme         "dark" (the default: a reading room is dim) or "light"
 * @param fontScale     1.0, 1.15 or 1.3
 * @param preferGpu     false keeps inference on the CPU even where a GPU provider is available
 * @param bundlesFolder a further folder of bundles for the Models menu, or null
 * @param window        the main window's last bounds, or null
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Settings(String theme, double fontScale, boolean preferGpu, String bundlesFolder, WindowBounds window) {
    public static final String FILE_NAME = "settings.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    public record WindowBounds(double x, double y, double width, double height, boolean maximized) {}

    public Settings {
        theme = "light".equals(theme) ? "light" : "dark";
        fontScale = fontScale < 0.8 || fontScale > 2 ? 1.0 : fontScale;
    }

    public static Settings defaults() {
        return new Settings("dark", 1.0, true, null, null);
    }

    public static Path file() {
        return DataFolder.path().resolve(FILE_NAME);
    }

    /** The saved settings, or the defaults where there are none or the file cannot be read. */
    public static Settings load() {
        Path f = file();
        if (!Files.isRegularFile(f)) {
            return defaults();
        }
        try {
            return JSON.readValue(f.toFile(), Settings.class);
        } catch (IOException e) {
            org.slf4j.LoggerFactory.getLogger(Settings.class).warn("{}: unreadable settings, using the defaults ({})", f, e.getMessage());
            return defaults();
        }
    }

    public void save() throws IOException {
        Path f = file();
        Files.createDirectories(f.getParent());
        Path tmp = f.resolveSibling(FILE_NAME + ".tmp");
        JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), this);
        Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public Settings withWindow(WindowBounds w) {
        return new Settings(theme, fontScale, preferGpu, bundlesFolder, w);
    }

    public Settings withPreferences(String theme, double fontScale, boolean preferGpu, String bundlesFolder) {
        return new Settings(theme, fontScale, preferGpu, bundlesFolder, window);
    }
}
