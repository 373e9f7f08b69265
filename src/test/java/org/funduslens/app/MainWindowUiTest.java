package org.funduslens.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.image.Image;
import javafx.stage.Stage;
import javax.imageio.ImageIO;
import org.funduslens.TestData;
import org.funduslens.model.BundleManifest;
import org.funduslens.model.Reading;
import org.funduslens.util.DataFolder;
import org.funduslens.study.DecisionLog;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The whole path in a real JavaFX window (headless under Monocle): a real photograph, the demo bundle, the top-3,
 * the heatmap, the DEMO banner, a saved decision read back from SQLite, and a screenshot for docs/screenshots.
 */
@ExtendWith(ApplicationExtension.class)
class MainWindowUiTest {
    private static Path dataDir;
    private FundusLensApp app;

    @BeforeAll
    static void privateDataFolder() throws Exception {
        dataDir = Files.createTempDirectory("funduslens-ui-test");
        System.setProperty(DataFolder.PROPERTY, dataDir.toString());
        // a second installed bundle in the user's bundles folder: another random backbone made by the project's
        // exporter (seed 11) where the system Python has torch, else the demo's weights under another identity
        Path second = dataDir.resolve("models").resolve("second");
        Process make = Files.isExecutable(TestData.systemPython())
                ? new ProcessBuilder(TestData.systemPython().toString(), "models/export/make_demo.py", "--seed", "11", "--id",
                        "second-demo", "--name", "Second demo bundle", "--out", second.toString(), "--no-verify")
                        .redirectErrorStream(true).start()
                : null;
        if (make != null) {
            make.getInputStream().readAllBytes();
        }
        if (make == null || make.waitFor() != 0) {
            try (var files = Files.walk(TestData.demoBundle())) {
                for (Path p : files.toList()) {
                    Path t = second.resolve(TestData.demoBundle().relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(t);
                    } else {
                        Files.copy(p, t, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            Path manifest = second.resolve("bundle.json");
            Files.writeString(manifest, Files.readString(manifest)
                    .replace("\"funduslens-demo-tiny-vit\"", "\"second-demo\"")
                    .replace("\"FundusLens demo (tiny ViT, random weights)\"", "\"Second demo bundle\""));
        }
    }

    @Start
    void start(Stage stage) {
        app = new FundusLensApp();
        app.start(stage);
    }

    private MainWindow window() {
        return app.window();
    }

    private void awaitIdle() throws Exception {
        WaitForAsyncUtils.waitFor(90, TimeUnit.SECONDS, () -> WaitForAsyncUtils.asyncFx(() -> !window().busy()).get());
        WaitForAsyncUtils.waitForFxEvents();
    }

    private Reading awaitReading() throws Exception {
        WaitForAsyncUtils.waitFor(90, TimeUnit.SECONDS,
                () -> WaitForAsyncUtils.asyncFx(() -> window().currentReading() != null && !window().busy()).get());
        WaitForAsyncUtils.waitForFxEvents();
        return WaitForAsyncUtils.asyncFx(() -> window().currentReading()).get();
    }

    private static String text(FxRobot robot, String id) {
        return robot.lookup(id).queryAs(Label.class).getText();
    }

    @Test
    void readsARealPhotographShowsTopThreeAndHeatmapAndSavesTheDecision(FxRobot robot) throws Exception {
        Path photo = TestData.shared().resolve("fundus/jsiec/fundus_dr_severe.jpg");
        awaitIdle();
        robot.interact(() -> window().openImage(photo));
        Reading reading = awaitReading();

        // three diagnoses, a heatmap over the photograph, the DEMO banner
        for (int i = 0; i < 3; i++) {
            assertTrue(robot.lookup("#diagnosis" + i).tryQuery().isPresent(), "diagnosis " + i + " shown");
        }
        assertFalse(robot.lookup("#diagnosis3").tryQuery().isPresent(), "only the top three");
        Node first = robot.lookup("#diagnosis0").query();
        assertTrue(first.isVisible());
        Image heat = window().viewer().heatmapImage();
        assertNotNull(heat, "heatmap shown");
        assertTrue(window().viewer().heatmapShown());
        assertEquals(3152, (int) heat.getWidth());
        assertEquals(3000, (int) heat.getHeight());
        Label banner = robot.lookup("#demoBanner").queryAs(Label.class);
        assertTrue(banner.isVisible());
        assertTrue(banner.getText().contains("DEMO \u2014 random weights, not a diagnosis"), banner.getText());
        assertTrue(text(robot, "#providerStatus").contains("CPU"), text(robot, "#providerStatus"));
        assertTrue(text(robot, "#heatmapCaption").contains(reading.top().get(0).name()), "a map for the first diagnosis");
        Image firstMap = window().viewer().heatmapImage();
        robot.clickOn("#diagnosis1");
        assertTrue(text(robot, "#heatmapCaption").contains(reading.top().get(1).name()), text(robot, "#heatmapCaption") + " / " + reading.top());
        assertTrue(window().viewer().heatmapImage() != firstMap, "each diagnosis has its own map");
        robot.clickOn("#diagnosis0");

        // the clinician agrees with the AI, confidence 4, a note; saves
        robot.clickOn("#agreeRadio");
        robot.clickOn("#confidence4");
        robot.clickOn("#noteArea").write("Intraretinal haemorrhages in four quadrants; refer.");
        robot.clickOn("#saveButton");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> WaitForAsyncUtils.asyncFx(
                () -> text(robot, "#saveStatus").matches("Decision #\\d+ saved.*")).get());

        Path shot = Path.of(System.getProperty("funduslens.screenshots.dir", "docs/screenshots")).resolve("main-window.png");
        WaitForAsyncUtils.asyncFx(() -> window().saveScreenshot(shot)).get();
        var png = ImageIO.read(shot.toFile());
        assertEquals(1280, png.getWidth());

        // and the log holds it
        try (DecisionLog log = DecisionLog.open(dataDir.resolve(DecisionLog.FILE_NAME))) {
            var entries = log.readAll();
            var d = entries.get(entries.size() - 1).decision();
            assertEquals(reading.prediction().first().code(), d.decisionCode());
            assertTrue(d.agreesWithAi());
            assertEquals(4, d.confidence());
            assertEquals("Intraretinal haemorrhages in four quadrants; refer.", d.note());
            assertTrue(d.demo());
            assertEquals("DEMO \u2014 random weights, not a diagnosis", d.notice());
            assertEquals("funduslens-demo-tiny-vit", d.bundleId());
            assertEquals(photo.toAbsolutePath().toString(), d.imagePath());
            assertEquals(64, d.imageSha256().length());
            assertEquals(3, d.aiTop().size());
        }
    }

    @Test
    void theClinicianCanChooseTheirOwnDiagnosis(FxRobot robot) throws Exception {
        Path photo = TestData.shared().resolve("fundus/cc0_wikimedia/skimage_retina_normal_left.jpg");
        awaitIdle();
        robot.interact(() -> window().openImage(photo));
        Reading reading = awaitReading();
        robot.clickOn("#ownRadio");
        @SuppressWarnings("unchecked")
        ComboBox<BundleManifest.Label> combo = robot.lookup("#ownDiagnosis").queryAs(ComboBox.class);
        // the own diagnosis is found by typing part of its name
        robot.clickOn("#ownDiagnosis");
        robot.write("Macular h");
        robot.type(javafx.scene.input.KeyCode.ENTER);
        WaitForAsyncUtils.waitForFxEvents();
        assertNotNull(combo.getValue(), "typing picks a diagnosis");
        assertEquals("MH", combo.getValue().code());
        BundleManifest.Label normal = reading.bundle().labels().stream().filter(l -> l.code().equals("NORMAL")).findFirst().orElseThrow();
        BundleManifest.Label mh = reading.bundle().labels().stream().filter(l -> l.code().equals("MH")).findFirst().orElseThrow();
        BundleManifest.Label erm = reading.bundle().labels().stream().filter(l -> l.code().equals("ERM")).findFirst().orElseThrow();
        robot.interact(() -> combo.setValue(normal));
        @SuppressWarnings("unchecked")
        ComboBox<BundleManifest.Label> second = robot.lookup("#secondDiagnosis").queryAs(ComboBox.class);
        @SuppressWarnings("unchecked")
        ComboBox<BundleManifest.Label> third = robot.lookup("#thirdDiagnosis").queryAs(ComboBox.class);
        robot.clickOn("#confidence5");
        robot.interact(() -> second.setValue(normal));
        assertTrue(robot.lookup("#saveButton").query().isDisabled(), "a differential that repeats the first choice is refused");
        assertTrue(text(robot, "#saveStatus").contains("repeats a diagnosis"), text(robot, "#saveStatus"));
        robot.interact(() -> {
            second.setValue(mh);
            third.setValue(erm);
        });
        assertFalse(robot.lookup("#saveButton").query().isDisabled());
        robot.clickOn("#saveButton");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> WaitForAsyncUtils.asyncFx(
                () -> text(robot, "#saveStatus").startsWith("Decision #")).get());
        try (DecisionLog log = DecisionLog.open(dataDir.resolve(DecisionLog.FILE_NAME))) {
            List<DecisionLog.Entry> entries = log.readAll();
            var d = entries.get(entries.size() - 1).decision();
            assertEquals("NORMAL", d.decisionCode());
            assertEquals("Normal fundus", d.decisionName());
            assertEquals(List.of("MH", "ERM"), d.differential(), "the ranked differential is stored");
            assertEquals(reading.prediction().first().code().equals("NORMAL"), d.agreesWithAi());
            assertEquals(5, d.confidence());
        }
    }

    @Test
    void theModelsMenuSwitchesBundlesAndTheModelCardVerifies(FxRobot robot) throws Exception {
        awaitIdle();
        robot.interact(() -> window().openImage(TestData.shared().resolve("fundus/hrf/01_h.jpg")));
        awaitReading();
        robot.clickOn("Models");
        robot.clickOn("Second demo bundle  [DEMO]");
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> WaitForAsyncUtils.asyncFx(() -> !window().busy()
                && window().currentReading() != null
                && window().currentReading().bundle().id().equals("second-demo")).get());
        assertTrue(text(robot, "#modelStatus").contains("Second demo bundle"), text(robot, "#modelStatus"));

        Stage card = WaitForAsyncUtils.asyncFx(() -> window().showModelCard()).get();
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(card.isShowing());
        String all = WaitForAsyncUtils.asyncFx(() -> card.getScene().getRoot().lookupAll(".card-value").stream()
                .map(n -> ((javafx.scene.control.TextArea) n).getText()).reduce("", (a, b) -> a + "\n" + b)).get();
        assertTrue(all.contains("retfound-mae"), all);
        assertTrue(all.contains("bicubic"), all);
        assertTrue(all.contains("CC0-1.0"), all);
        assertTrue(all.contains("patch_logits: exact"), all);
        Label demo = (Label) card.getScene().lookup("#cardDemo");
        assertTrue(demo.getText().contains("DEMO"));
        robot.interact(() -> ((javafx.scene.control.Button) card.getScene().lookup("#verifyButton")).fire());
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> WaitForAsyncUtils.asyncFx(
                () -> ((Label) card.getScene().lookup("#verifyResult")).getText().startsWith("\u2714 Verified")).get());
        Path shot = Path.of(System.getProperty("funduslens.screenshots.dir", "docs/screenshots")).resolve("model-card.png");
        WaitForAsyncUtils.asyncFx(() -> {
            try {
                Files.createDirectories(shot.getParent());
                ImageIO.write(javafx.embed.swing.SwingFXUtils.fromFXImage(card.getScene().snapshot(null), null), "png",
                        shot.toFile());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            card.close();
        }).get();
    }

    @Test
    void theThreeHeatmapKindsForOnePhotograph(FxRobot robot) throws Exception {
        Path photo = TestData.shared().resolve("fundus/cc0_wikimedia/skimage_retina_normal_left.jpg");
        awaitIdle();
        robot.interact(() -> window().openImage(photo));
        Reading reading = awaitReading();
        @SuppressWarnings("unchecked")
        javafx.scene.control.ChoiceBox<String> kind = robot.lookup("#heatmapKind").queryAs(javafx.scene.control.ChoiceBox.class);
        assertEquals(List.of("Patch logits", "Attention", "Occlusion"), List.copyOf(kind.getItems()));
        List<java.awt.image.BufferedImage> panels = new java.util.ArrayList<>();
        List<String> captions = new java.util.ArrayList<>();
        for (String k : kind.getItems()) {
            robot.interact(() -> kind.setValue(k));
            if (k.equals("Occlusion")) {
                WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS,
                        () -> WaitForAsyncUtils.asyncFx(() -> window().occlusionReady()).get());
                WaitForAsyncUtils.waitForFxEvents();
            }
            String caption = text(robot, "#heatmapCaption");
            assertTrue(caption.startsWith(k.equals("Patch logits") ? "Patch logits for" : k), caption);
            assertNotNull(window().viewer().heatmapImage(), k);
            captions.add(k.equals("Attention") ? "Attention (class-agnostic)" : k + " \u2014 " + reading.top().get(0).name());
            panels.add(WaitForAsyncUtils.asyncFx(() -> javafx.embed.swing.SwingFXUtils.fromFXImage(
                    window().viewer().snapshot(null, null), null)).get());
        }
        // one picture: the three maps of the first diagnosis side by side, each labelled with its method
        int w = panels.get(0).getWidth();
        int h = panels.get(0).getHeight();
        java.awt.image.BufferedImage all = new java.awt.image.BufferedImage(w * 3, h + 36,
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = all.createGraphics();
        g.setColor(new java.awt.Color(0x11, 0x14, 0x17));
        g.fillRect(0, 0, all.getWidth(), all.getHeight());
        g.setRenderingHint(java.awt.RenderingHints.KEY_TEXT_ANTIALIASING, java.awt.RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.BOLD, 18));
        for (int i = 0; i < 3; i++) {
            g.drawImage(panels.get(i), i * w, 36, null);
            g.setColor(java.awt.Color.WHITE);
            g.drawString(captions.get(i) + "   [DEMO, random weights]", i * w + 12, 25);
        }
        g.dispose();
        Path shot = Path.of(System.getProperty("funduslens.screenshots.dir", "docs/screenshots")).resolve("heatmap-kinds.png");
        Files.createDirectories(shot.getParent());
        ImageIO.write(all, "png", shot.toFile());
        assertEquals(3, reading.top().size());
    }

    @Test
    void aDicomOphthalmicPhotographShowsItsEyeAndTopThree(FxRobot robot) throws Exception {
        Path op = TestData.shared().resolve("dicom/dcmjs_sample-op_Spectralis_IR.dcm");
        awaitIdle();
        robot.interact(() -> window().openImage(op));
        Reading reading = awaitReading();
        assertEquals(org.funduslens.image.Eye.OD, reading.image().eye());
        assertEquals("OD \u2014 right eye", text(robot, "#eyeBadge"));
        assertTrue(text(robot, "#imageStatus").contains("OP 8-bit"), text(robot, "#imageStatus"));
        for (int i = 0; i < 3; i++) {
            assertTrue(robot.lookup("#diagnosis" + i).tryQuery().isPresent());
        }
        Path shot = Path.of(System.getProperty("funduslens.screenshots.dir", "docs/screenshots")).resolve("dicom-op.png");
        WaitForAsyncUtils.asyncFx(() -> window().saveScreenshot(shot)).get();

        // measure in millimetres (the file's Pixel Spacing is 0.005768 mm) and look through the loupe
        robot.clickOn("#photoView");
        robot.type(javafx.scene.input.KeyCode.M).type(javafx.scene.input.KeyCode.H);
        javafx.geometry.Bounds b = robot.lookup("#photoView").query().localToScreen(robot.lookup("#photoView").query().getBoundsInLocal());
        double y = b.getMinY() + b.getHeight() * 0.45;
        robot.drag(b.getMinX() + b.getWidth() * 0.30, y).dropTo(new javafx.geometry.Point2D(b.getMinX() + b.getWidth() * 0.62, y));
        WaitForAsyncUtils.waitForFxEvents();
        String m = window().viewer().measurement();
        assertNotNull(m, "a measurement");
        java.util.regex.Matcher mm = java.util.regex.Pattern.compile("([0-9.]+) mm \\(([0-9]+) px\\)").matcher(m);
        assertTrue(mm.matches(), m);
        assertEquals(Double.parseDouble(mm.group(2)) * 0.005768, Double.parseDouble(mm.group(1)), 0.006, m);
        assertTrue(Double.parseDouble(mm.group(2)) > 300, "a third of a 1536-pixel image: " + m);
        robot.type(javafx.scene.input.KeyCode.L);
        robot.moveTo(new javafx.geometry.Point2D(b.getMinX() + b.getWidth() * 0.72, b.getMinY() + b.getHeight() * 0.80));
        robot.moveBy(3, 2);
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(window().viewer().loupeShown(), "the loupe follows the pointer");
        Path tools = Path.of(System.getProperty("funduslens.screenshots.dir", "docs/screenshots")).resolve("ruler-and-loupe.png");
        WaitForAsyncUtils.asyncFx(() -> window().saveScreenshot(tools)).get();
        robot.type(javafx.scene.input.KeyCode.L).type(javafx.scene.input.KeyCode.M).type(javafx.scene.input.KeyCode.H);
        assertFalse(window().viewer().measuring());
    }

    @Test
    void theStudyBrowserOpensADicomdirMedium(FxRobot robot) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/dcmmkdir")),
                "skipped: dcmtk is not installed (apt-get install dcmtk)");
        Path media = dataDir.resolve("media");
        Path st = Files.createDirectories(media.resolve("DICOM").resolve("ST1"));
        TestData.ophthalmicDicom(st, TestData.shared().resolve("fundus/jsiec/fundus_dr_severe.jpg"),
                "IM1", "-oph", "R");
        TestData.ophthalmicDicom(st, TestData.shared().resolve("fundus/jsiec/fundus_normal.jpg"),
                "IM2", "-oph", "L");
        Process p = new ProcessBuilder("dcmmkdir", "-Pfl", "+r", "+I", "--fileset-id", "FUNDUS_TEST", "DICOM")
                .directory(media.toFile()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), log);
        assertTrue(Files.isRegularFile(media.resolve("DICOMDIR")));

        awaitIdle();
        robot.interact(() -> window().openStudies(media));
        awaitIdle();
        javafx.scene.control.TreeView<Object> tree = window().studyTree();
        assertNotNull(tree, "the study browser is shown");
        var patient = tree.getRoot().getChildren().get(0);
        assertTrue(patient.getValue().toString().contains("TEST^FUNDUS"), patient.getValue().toString());
        // img2dcm starts a new study per call: two studies of one OP image each
        assertEquals(2, patient.getChildren().size());
        var first = patient.getChildren().stream().flatMap(s -> s.getChildren().stream()).flatMap(s -> s.getChildren().stream())
                .filter(i -> i.getValue() instanceof org.funduslens.dicom.StudyTree.Instance inst
                        && inst.file().getFileName().toString().equals("IM1")).findFirst().orElseThrow();
        robot.interact(() -> tree.getSelectionModel().select(first));
        Reading reading = awaitReading();
        assertTrue(reading.image().source().getFileName().toString().equals("IM1"), reading.image().source().toString());
        assertEquals("OD \u2014 right eye", text(robot, "#eyeBadge"));
        WaitForAsyncUtils.sleep(1500, TimeUnit.MILLISECONDS);   // let the lazy thumbnails arrive
        WaitForAsyncUtils.waitForFxEvents();
        Path shot = Path.of(System.getProperty("funduslens.screenshots.dir", "docs/screenshots")).resolve("study-browser.png");
        WaitForAsyncUtils.asyncFx(() -> window().saveScreenshot(shot)).get();
    }

    @Test
    void theKeyboardAloneRecordsADecisionAndTheLogExports(FxRobot robot) throws Exception {
        awaitIdle();
        robot.interact(() -> window().openImage(TestData.shared().resolve("fundus/chase_db1/Image_05R.jpg")));
        Reading reading = awaitReading();
        robot.clickOn("#photoView");   // focus the window, not a text field
        robot.type(javafx.scene.input.KeyCode.A).type(javafx.scene.input.KeyCode.DIGIT3).type(javafx.scene.input.KeyCode.U);
        robot.press(javafx.scene.input.KeyCode.CONTROL).press(javafx.scene.input.KeyCode.ENTER)
                .release(javafx.scene.input.KeyCode.ENTER).release(javafx.scene.input.KeyCode.CONTROL);
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> WaitForAsyncUtils.asyncFx(
                () -> text(robot, "#saveStatus").startsWith("Decision #")).get());
        try (DecisionLog log = DecisionLog.open(dataDir.resolve(DecisionLog.FILE_NAME))) {
            var entries = log.readAll();
            var d = entries.get(entries.size() - 1).decision();
            assertEquals(reading.prediction().first().code(), d.decisionCode());
            assertEquals(3, d.confidence());
            assertEquals(org.funduslens.study.Decision.Referral.URGENT, d.referral());
            assertTrue(d.timeOnCaseMs() != null && d.timeOnCaseMs() >= 0);
        }
        // G: the red-free view (the green channel as grey); G again: colour
        robot.type(javafx.scene.input.KeyCode.G);
        int argb = WaitForAsyncUtils.asyncFx(() -> {
            Image img = window().viewer().image();
            return img.getPixelReader().getArgb((int) img.getWidth() / 2, (int) img.getHeight() / 2);
        }).get();
        assertEquals((argb >> 8) & 0xff, (argb >> 16) & 0xff, "red equals green in the red-free view");
        assertEquals((argb >> 8) & 0xff, argb & 0xff, "blue equals green in the red-free view");
        robot.type(javafx.scene.input.KeyCode.G);
        Path csv = dataDir.resolve("export").resolve("decisions.csv");
        robot.interact(() -> window().exportDecisions(csv));
        awaitIdle();
        List<String> lines = Files.readAllLines(csv);
        assertTrue(lines.size() >= 2, lines.toString());
        assertTrue(lines.get(lines.size() - 1).contains(",urgent,"), lines.get(lines.size() - 1));
    }

    @Test
    void aWorklistOfTenPhotographsIsReadWithTheKeyboardAlone(FxRobot robot) throws Exception {
        // ten real photographs, linked (not copied) into one folder
        Path folder = Files.createDirectories(dataDir.resolve("worklist"));
        List<Path> photos = TestData.fundusPhotographs().subList(0, 10);
        for (int i = 0; i < photos.size(); i++) {
            Files.createSymbolicLink(folder.resolve(String.format("%02d-%s", i, photos.get(i).getFileName())), photos.get(i));
        }
        awaitIdle();
        robot.interact(() -> window().openWorklist(folder));
        for (int i = 0; i < 10; i++) {
            int n = i;
            WaitForAsyncUtils.waitFor(90, TimeUnit.SECONDS, () -> WaitForAsyncUtils.asyncFx(() -> !window().busy()
                    && window().currentReading() != null
                    && window().currentReading().image().source().getFileName().toString().startsWith(String.format("%02d-", n)))
                    .get());
            WaitForAsyncUtils.waitForFxEvents();
            if (i == 0) {
                robot.clickOn("#photoView");
            }
            robot.type(javafx.scene.input.KeyCode.A).type(javafx.scene.input.KeyCode.DIGIT4)
                    .type(javafx.scene.input.KeyCode.N);
            robot.press(javafx.scene.input.KeyCode.CONTROL).press(javafx.scene.input.KeyCode.ENTER)
                    .release(javafx.scene.input.KeyCode.ENTER).release(javafx.scene.input.KeyCode.CONTROL);
            WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> WaitForAsyncUtils.asyncFx(
                    () -> text(robot, "#saveStatus").startsWith("Decision #")).get());
            if (i == 4) {
                Path shot = Path.of(System.getProperty("funduslens.screenshots.dir", "docs/screenshots")).resolve("worklist.png");
                WaitForAsyncUtils.asyncFx(() -> window().saveScreenshot(shot)).get();
            }
            if (i == 6) {
                // compare two backbones on this photograph, with the keyboard: Ctrl+B, Enter picks the other bundle
                robot.press(javafx.scene.input.KeyCode.CONTROL).press(javafx.scene.input.KeyCode.B)
                        .release(javafx.scene.input.KeyCode.B).release(javafx.scene.input.KeyCode.CONTROL);
                WaitForAsyncUtils.waitForFxEvents();
                robot.type(javafx.scene.input.KeyCode.ENTER);
                WaitForAsyncUtils.waitFor(90, TimeUnit.SECONDS, () -> WaitForAsyncUtils.asyncFx(
                        () -> window().lastComparison() != null && !window().lastComparison().busy()).get());
                WaitForAsyncUtils.waitForFxEvents();
                CompareWindow cw = window().lastComparison();
                var c = cw.comparison();
                assertNotNull(c, robot.lookup("#compareSummary").queryAs(Label.class).getText());
                assertEquals("funduslens-demo-tiny-vit", c.left().bundle().id());
                assertEquals("second-demo", c.right().bundle().id());
                assertEquals(c.left().image().source(), c.right().image().source(), "both read the same photograph");
                for (int side = 0; side < 2; side++) {
                    for (int k = 0; k < 3; k++) {
                        assertTrue(robot.lookup("#compare" + side + "diagnosis" + k).tryQuery().isPresent());
                    }
                }
                String summary = robot.lookup("#compareSummary").queryAs(Label.class).getText();
                assertTrue(summary.contains("of 3 diagnoses shared"), summary);
                Path shot = Path.of(System.getProperty("funduslens.screenshots.dir", "docs/screenshots")).resolve("compare-backbones.png");
                WaitForAsyncUtils.asyncFx(() -> {
                    cw.saveScreenshot(shot);
                    return null;
                }).get();
                robot.type(javafx.scene.input.KeyCode.ESCAPE);
                WaitForAsyncUtils.waitForFxEvents();
                assertFalse(cw.stage().isShowing(), "Escape closes the comparison");
            }
            robot.type(javafx.scene.input.KeyCode.PAGE_DOWN);
        }
        awaitIdle();
        assertEquals(10, WaitForAsyncUtils.asyncFx(() -> window().worklist().decided()).get());
        // the history finds this worklist's decisions by a file name and exports just those
        HistoryWindow history = WaitForAsyncUtils.asyncFx(() -> window().showHistory()).get();
        robot.interact(() -> history.setSearch("03-"));
        assertEquals(1, (int) WaitForAsyncUtils.asyncFx(history::shownCount).get(), "one worklist image is named 03-...");
        Path one = dataDir.resolve("history-03.csv");
        robot.interact(() -> history.exportShown(one));
        assertEquals(2, Files.readAllLines(one).size(), "the header and the one decision shown");
        Path historyShot = Path.of(System.getProperty("funduslens.screenshots.dir", "docs/screenshots")).resolve("history.png");
        robot.interact(() -> history.setSearch("worklist"));
        WaitForAsyncUtils.waitForFxEvents();
        WaitForAsyncUtils.asyncFx(() -> {
            javax.imageio.ImageIO.write(javafx.embed.swing.SwingFXUtils.fromFXImage(
                    robot.window("FundusLens \u2014 decision history").getScene().snapshot(null), null), "png", historyShot.toFile());
            return null;
        }).get();
        robot.interact(() -> ((Stage) robot.window("FundusLens \u2014 decision history")).close());
        Path csv = dataDir.resolve("worklist-decisions.csv");
        robot.interact(() -> window().exportDecisions(csv));
        awaitIdle();
        List<String> rows = Files.readAllLines(csv);
        for (Path p : window().worklist().items()) {
            assertTrue(rows.stream().anyMatch(r -> r.contains(p.getFileName().toString())), p + " is in the export");
        }
        try (DecisionLog log = DecisionLog.open(dataDir.resolve(DecisionLog.FILE_NAME))) {
            java.util.Set<String> decided = log.decidedImages();
            for (Path p : window().worklist().items()) {
                assertTrue(decided.contains(p.toString()), p + " has a decision");
            }
        }
    }

    @Test
    void aBrokenFileGivesOneSentenceAndTheWindowCarriesOn(FxRobot robot) throws Exception {
        Path broken = dataDir.resolve("scan-broken.jpg");
        Files.writeString(broken, "not an image");
        awaitIdle();
        robot.interact(() -> window().openImage(broken));
        awaitIdle();
        String status = text(robot, "#imageStatus");
        assertTrue(status.startsWith("scan-broken.jpg: "), status);
        assertFalse(status.contains("\n"));
        assertTrue(robot.lookup("#errorDetails").query().isVisible(), "a Details link beside the sentence");
        javafx.scene.control.Alert alert = WaitForAsyncUtils.asyncFx(() -> window().showErrorDetails()).get();
        WaitForAsyncUtils.waitForFxEvents();
        String trace = ((javafx.scene.control.TextArea) alert.getDialogPane().getExpandableContent()).getText();
        assertTrue(trace.contains("ImageLoadException"), trace);
        assertEquals(status, alert.getHeaderText());
        robot.interact(alert::close);
        robot.interact(() -> window().openImage(TestData.shared().resolve("fundus/hrf/13_h.jpg")));
        assertNotNull(awaitReading());
        assertTrue(robot.lookup("#diagnosis2").tryQuery().isPresent());
    }

    @Test
    void anOctVolumeIsBrowsedFrameByFrameAndNotAnalysed(FxRobot robot) throws Exception {
        Path oct = TestData.syntheticOct(dataDir, "volume.dcm");
        awaitIdle();
        robot.interact(() -> window().openImage(oct));
        awaitIdle();
        assertEquals(oct, window().volume());
        assertEquals(7, (int) window().frameSlider().getMax());
        assertEquals(null, window().currentReading(), "no model reads a B-scan");
        Label first = robot.lookup("#diagnosisList .label").queryAs(Label.class);
        assertTrue(first.getText().contains("not analysed"), first.getText());
        assertTrue(text(robot, "#imageStatus").contains("OCT B-scan 1/7"), text(robot, "#imageStatus"));
        robot.clickOn("#photoView");
        robot.type(javafx.scene.input.KeyCode.CLOSE_BRACKET).type(javafx.scene.input.KeyCode.CLOSE_BRACKET)
                .type(javafx.scene.input.KeyCode.CLOSE_BRACKET);
        awaitIdle();
        assertEquals(4, (int) window().frameSlider().getValue());
        assertTrue(text(robot, "#imageStatus").contains("OCT B-scan 4/7"), text(robot, "#imageStatus"));
        assertTrue(text(robot, "#frameLabel").startsWith("B-scan 4 of 7"), text(robot, "#frameLabel"));
        assertEquals(512, (int) window().viewer().image().getWidth());
        Path shot = Path.of(System.getProperty("funduslens.screenshots.dir", "docs/screenshots")).resolve("oct-volume.png");
        WaitForAsyncUtils.asyncFx(() -> window().saveScreenshot(shot)).get();
        robot.type(javafx.scene.input.KeyCode.OPEN_BRACKET);
        awaitIdle();
        assertTrue(text(robot, "#imageStatus").contains("OCT B-scan 3/7"), text(robot, "#imageStatus"));
    }

    @Test
    void settingsChangeTheThemeAndTextSizeAtOnce(FxRobot robot) throws Exception {
        awaitIdle();
        javafx.scene.Scene scene = window().viewer().getScene();
        assertTrue(scene.getStylesheets().stream().anyMatch(x -> x.endsWith("funduslens-dark.css")), "dark by default");
        SettingsDialog d = WaitForAsyncUtils.asyncFx(() -> window().showSettings()).get();
        robot.interact(() -> d.choose("Light", "Large", true));
        robot.clickOn("#settingsSave");
        WaitForAsyncUtils.waitForFxEvents();
        assertFalse(scene.getStylesheets().stream().anyMatch(x -> x.endsWith("funduslens-dark.css")), "light now");
        assertTrue(scene.getRoot().getStyle().contains("-fx-font-size: 15.0px"), scene.getRoot().getStyle());
        assertEquals("light", org.funduslens.util.Settings.load().theme());
        robot.interact(() -> d.choose("Dark", "Normal", true));
        robot.clickOn("#settingsSave");
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(scene.getStylesheets().stream().anyMatch(x -> x.endsWith("funduslens-dark.css")));
    }

    @Test
    void twoEyesSideBySide(FxRobot robot) throws Exception {
        Path right = TestData.ophthalmicDicom(dataDir, TestData.shared().resolve("fundus/chase_db1/Image_05R.jpg"), "od.dcm", "-oph", "R");
        Path left = TestData.ophthalmicDicom(dataDir, TestData.shared().resolve("fundus/chase_db1/Image_01L.jpg"), "os.dcm", "-oph", "L");
        awaitIdle();
        robot.interact(() -> window().openImage(right));
        awaitReading();
        SideBySideWindow w = WaitForAsyncUtils.asyncFx(() -> window().sideBySide(left)).get();
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> WaitForAsyncUtils.asyncFx(() -> !w.busy()).get());
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(text(robot, "#leftCaption").startsWith("OD \u2014 right eye"), text(robot, "#leftCaption"));
        assertTrue(text(robot, "#rightCaption").startsWith("OS \u2014 left eye"), text(robot, "#rightCaption"));
        Path shot = Path.of(System.getProperty("funduslens.screenshots.dir", "docs/screenshots")).resolve("side-by-side.png");
        WaitForAsyncUtils.asyncFx(() -> {
            w.saveScreenshot(shot);
            return null;
        }).get();
        robot.interact(() -> w.stage().close());
    }
}
