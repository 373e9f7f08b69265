package org.funduslens.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Preferences survive a restart; a damaged or strange file gives the defaults, never a failure to start. */
class SettingsTest {
    @TempDir
    Path tmp;
    private String before;

    @BeforeEach
    void privateDataFolder() {
        before = System.getProperty(DataFolder.PROPERTY);
        System.setProperty(DataFolder.PROPERTY, tmp.toString());
    }

    @AfterEach
    void restore() {
        if (before == null) {
            System.clearProperty(DataFolder.PROPERTY);
        } else {
            System.setProperty(DataFolder.PROPERTY, before);
        }
    }

    @Test
    void defaultsRoundTripAndDamage() throws Exception {
        Settings d = Settings.load();
        assertEquals("dark", d.theme(), "dark is the default");
        assertEquals(1.0, d.fontScale());
        assertNull(d.window());
        d.withPreferences("light", 1.3, false, "/srv/bundles")
                .withWindow(new Settings.WindowBounds(40, 30, 1400, 900, false)).save();
        Settings back = Settings.load();
        assertEquals("light", back.theme());
        assertEquals(1.3, back.fontScale());
        assertFalse(back.preferGpu());
        assertEquals("/srv/bundles", back.bundlesFolder());
        assertEquals(1400, back.window().width());
        Files.writeString(Settings.file(), "{ not json");
        assertEquals(Settings.defaults(), Settings.load());
        Files.writeString(Settings.file(), "{\"theme\": \"neon\", \"fontScale\": 9, \"future\": 1}");
        Settings odd = Settings.load();
        assertEquals("dark", odd.theme());
        assertEquals(1.0, odd.fontScale());
    }
}
