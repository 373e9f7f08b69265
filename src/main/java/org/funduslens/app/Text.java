package org.funduslens.app;

import java.text.MessageFormat;
import java.util.Locale;
import java.util.ResourceBundle;

/** The windows' fixed words, from messages.properties (and messages_xx.properties for the user's language). */
final class Text {
    private static final ResourceBundle BUNDLE = ResourceBundle.getBundle("org.funduslens.app.messages", Locale.getDefault());

    private Text() {}

    static String t(String key) {
        return BUNDLE.getString(key);
    }

    static String t(String key, Object... args) {
        return new MessageFormat(BUNDLE.getString(key), Locale.getDefault()).format(args);
    }
}
