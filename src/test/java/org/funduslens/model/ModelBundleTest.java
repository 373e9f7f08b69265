package org.funduslens.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;
import org.funduslens.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelBundleTest {
    @TempDir
    Path tmp;

    @Test
    void theDemoBundleLoadsAndSaysItIsADemo() throws Exception {
        ModelBundle b = ModelBundle.load(TestData.demoBundle());
        assertTrue(b.demo());
        assertEquals("DEMO \u2014 random weights, not a diagnosis", b.demoNotice());
        assertEquals("retfound-mae", b.manifest().backbone().family());
        assertTrue(b.labels().size() >= 10, "a realistic label list");
        assertEquals(64, b.sha256().length());
        assertTrue(Files.size(b.modelFile()) < 2_000_000, "the demo network stays under 2 MB");
    }

    private Path copyOfDemo() throws IOException {
        Path dst = tmp.resolve("bundle");
        Path src = TestData.demoBundle();
        try (Stream<Path> s = Files.walk(src)) {
            for (Path p : s.toList()) {
                Path t = dst.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return dst;
    }

    private static String refused(Path dir) {
        BundleException e = assertThrows(BundleException.class, () -> ModelBundle.load(dir));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void aChangedNetworkIsRefusedNamingTheFile() throws Exception {
        Path dir = copyOfDemo();
        Path model = dir.resolve("model.onnx");
        byte[] b = Files.readAllBytes(model);
        b[b.length / 2] ^= 0x01;
        Files.write(model, b);
        String m = refused(dir);
        assertTrue(m.contains("model.onnx") && m.contains("SHA-256"), m);
    }

    @Test
    void aChangedReferenceFileIsRefusedToo() throws Exception {
        Path dir = copyOfDemo();
        Files.write(dir.resolve("reference/logits.f32"), new byte[] {1, 2, 3, 4}, java.nio.file.StandardOpenOption.APPEND);
        assertTrue(refused(dir).contains("logits.f32"));
    }

    @Test
    void aMissingFileIsRefused() throws Exception {
        Path dir = copyOfDemo();
        Files.delete(dir.resolve("model.onnx"));
        assertTrue(refused(dir).contains("model.onnx"));
    }

    @Test
    void brokenManifestsAreRefused() throws Exception {
        Path dir = copyOfDemo();
        Path manifest = dir.resolve("bundle.json");
        String good = Files.readString(manifest);
        Files.writeString(manifest, good.substring(0, good.length() / 2));
        assertTrue(refused(dir).contains("bundle.json"));
        Files.writeString(manifest, good.replace("funduslens-bundle/1", "funduslens-bundle/99"));
        assertTrue(refused(dir).contains("funduslens-bundle/99"));
        Files.writeString(manifest, good.replace("\"bicubic\"", "\"lanczos\""));
        assertTrue(refused(dir).contains("lanczos"));
        Files.delete(manifest);
        assertTrue(refused(dir).contains("bundle.json"));
        assertTrue(refused(tmp.resolve("nothing-here")).contains("not a model bundle folder"));
    }

    @Test
    void aPathOutsideTheBundleIsRefused() throws Exception {
        Path dir = copyOfDemo();
        Path manifest = dir.resolve("bundle.json");
        Files.writeString(manifest, Files.readString(manifest).replace("\"reference/input.f32\": {", "\"../../etc/passwd\": {"));
        assertTrue(refused(dir).contains("../../etc/passwd"));
    }
}
