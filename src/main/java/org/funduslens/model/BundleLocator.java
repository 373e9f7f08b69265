package org.funduslens.model;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Finds the bundles that ship with the application; the one place that knows where they live. */
public final class BundleLocator {
    public static final String MODELS_DIR_PROPERTY = "funduslens.models.dir";
    public static final String DEMO = "demo";

    private BundleLocator() {}

    /** The folder of shipped bundles: the property, then FUNDUSLENS_MODELS, then beside the application jar, then ./models. */
    public static Path modelsDir() {
        for (Path candidate : candidates()) {
            if (Files.isDirectory(candidate.resolve(DEMO))) {
                return candidate;
            }
        }
        return Path.of("models").toAbsolutePath();
    }

    public static Path demoBundle() {
        return modelsDir().resolve(DEMO);
    }

    private static List<Path> candidates() {
        List<Path> out = new ArrayList<>();
        String prop = System.getProperty(MODELS_DIR_PROPERTY);
        if (prop != null && !prop.isBlank()) {
            out.add(Path.of(prop));
        }
        String env = System.getenv("FUNDUSLENS_MODELS");
        if (env != null && !env.isBlank()) {
            out.add(Path.of(env));
        }
        try {
            Path code = Path.of(BundleLocator.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path base = Files.isDirectory(code) ? code : code.getParent();
            for (Path p = base; p != null && out.size() < 8; p = p.getParent()) {
                out.add(p.resolve("models"));
            }
        } catch (URISyntaxException | RuntimeException ignored) {
            // no code source (unusual class loader): fall back to the working directory
        }
        out.add(Path.of("models").toAbsolutePath());
        return out;
    }
}
