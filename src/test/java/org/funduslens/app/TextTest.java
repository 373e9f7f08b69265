package org.funduslens.app;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every key the windows ask for is in messages.properties, and every key there is used. */
class TextTest {
    @Test
    void keysAndBundleAgree() throws Exception {
        ResourceBundle bundle = ResourceBundle.getBundle("org.funduslens.app.messages");
        Pattern use = Pattern.compile("Text\\.t\\(\"([^\"]+)\"");
        List<String> used = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of("src/main/java/org/funduslens/app"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = use.matcher(Files.readString(f));
                while (m.find()) {
                    used.add(m.group(1));
                }
            }
        }
        assertTrue(used.size() > 100, "the windows' words come from the bundle: " + used.size());
        List<String> missing = used.stream().filter(k -> !bundle.containsKey(k)).toList();
        assertTrue(missing.isEmpty(), "keys missing from messages.properties: " + missing);
        List<String> unused = bundle.keySet().stream().filter(k -> !used.contains(k)).toList();
        assertTrue(unused.isEmpty(), "keys no window uses: " + unused);
    }
}
