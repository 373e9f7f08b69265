package org.funduslens.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.controlsfx.control.SearchableComboBox;
import org.funduslens.TestData;
import org.funduslens.model.BundleManifest;
import org.funduslens.model.ModelBundle;
import org.funduslens.study.ReadLog;
import org.funduslens.study.ReaderSession;
import org.funduslens.study.StudyWorkspace;
import org.funduslens.util.DataFolder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * A sequential reader study end to end in real windows (headless under Monocle): the coordinator enrols two readers,
 * each reads five real photographs unaided and then aided, the unaided screen holds no AI element at all, the aided
 * screen shows the demo AI's top-3 and its heatmap, and the analysis view and the HTML report come out of the read
 * log, whose hash chain verifies.
 */
@ExtendWith(ApplicationExtension.class)
class ReaderStudyUiTest {
    private static Path dir;
    private static Path protocol;
    private static final Map<String, String> CASES = new java.util.LinkedHashMap<>();
    private FundusLensApp app;

    @BeforeAll
    static void study() throws Exception {
        dir = Files.createTempDirectory("funduslens-study-ui");
        System.setProperty(DataFolder.PROPERTY, dir.resolve("data").toString());
        Path fundus = TestData.shared().resolve("fundus");
        CASES.put("jsiec/fundus_normal.jpg", "NORMAL");
        CASES.put("jsiec/fundus_dr_mild.jpg", "DR1");
        CASES.put("jsiec/fundus_dr_severe.jpg", "DR3");
        CASES.put("hrf/01_h.jpg", "NORMAL");
        CASES.put("other/wikimedia_macular_hole.png", "MH");
        StringBuilder cases = new StringBuilder();
        int k = 1;
        for (var e : CASES.entrySet()) {
            cases.append(k > 1 ? ",\n" : "").append("{\"id\": \"case-").append(k++).append("\", \"image\": \"")
                    .append(fundus.resolve(e.getKey())).append("\", \"reference\": \"").append(e.getValue()).append("\"}");
        }
        List<String> labels = ModelBundle.load(TestData.demoBundle()).labels().stream().map(BundleManifest.Label::code).toList();
        protocol = Files.writeString(dir.resolve("clinic-study.json"), """
            {"id": "clinic-2026", "title": "Clinic replication of the RetiZero reader study", "seed": 2026,
             "labels": [%s], "bundle": "%s", "design": "sequential", "ranked_answers": 3, "confidence_levels": 5,
             "cases": [%s]}
            """.formatted(String.join(", ", labels.stream().map(l -> "\"" + l + "\"").toList()), TestData.demoBundle(), cases));
    }

    @Start
    void start(Stage stage) {
        app = new FundusLensApp();
        app.start(stage);
    }

    private static void await(java.util.concurrent.Callable<Boolean> condition) throws Exception {
        WaitForAsyncUtils.waitFor(90, TimeUnit.SECONDS, () -> WaitForAsyncUtils.asyncFx(condition).get());
        WaitForAsyncUtils.waitForFxEvents();
    }

    private static Path shot(String name) {
        return Path.of(System.getProperty("funduslens.screenshots.dir", "docs/screenshots")).resolve(name);
    }

    @Test
    void twoReadersReadFiveCasesUnaidedThenAidedAndTheStudyIsAnalysed(FxRobot robot) throws Exception {
        ReaderStudyWindow w = WaitForAsyncUtils.asyncFx(() -> app.window().openReaderStudy(protocol)).get();
        assertNotNull(w, "the study opens");
        await(() -> !w.busy());
        Label facts = robot.lookup("#studyFacts").queryAs(Label.class);
        assertTrue(facts.getText().contains("sequential design") && facts.getText().contains("5 cases"), facts.getText());
        assertTrue(facts.getText().contains("DEMO"), "the AI is labelled DEMO: " + facts.getText());

        // the coordinator enrols two readers with the keyboard
        robot.clickOn("#enrolId").write("dr-a");
        robot.clickOn("#enrolYears").write("12");
        robot.clickOn("#enrolSpecialty").write("retina");
        robot.clickOn("#enrolCountry").write("UK");
        robot.clickOn("#enrolButton");
        robot.clickOn("#enrolId").write("dr-b");
        robot.clickOn("#enrolYears").write("3");
        robot.clickOn("#enrolCountry").write("India");
        robot.type(KeyCode.ENTER);
        WaitForAsyncUtils.waitForFxEvents();
        @SuppressWarnings("unchecked")
        TableView<StudyWorkspace.Progress> table = robot.lookup("#readersTable").queryAs(TableView.class);
        assertEquals(2, table.getItems().size(), robot.lookup("#coordinatorStatus").queryAs(Label.class).getText());

        for (int reader = 0; reader < 2; reader++) {
            int index = reader;
            robot.interact(() -> table.getSelectionModel().select(index));
            robot.clickOn("#startReading");
            for (int read = 0; read < 10; read++) {
                await(() -> !w.busy() && w.session() != null && w.session().current() != null
                        && !robot.lookup("#submitRead").query().isDisabled());
                ReaderSession.Task t = w.session().current();
                String armText = robot.lookup("#armBanner").queryAs(Label.class).getText();
                String truth = t.item().reference();
                boolean right;
                if (!t.aided()) {
                    assertTrue(armText.startsWith("Unaided read"), armText);
                    assertEquals(read / 2 + 1, t.orderIndex());
                    // no AI element anywhere in the scene
                    Node root = w.stage().getScene().getRoot();
                    assertNull(root.lookup("#aiPanel"), "an unaided read shows no AI panel");
                    assertNull(root.lookup("#aiDiagnosis0"), "an unaided read shows no AI diagnosis");
                    assertNull(root.lookup("#heatmapToggle"), "an unaided read offers no heatmap");
                    assertNull(w.aiReading());
                    right = truth.equals("NORMAL") || (index == 1 && truth.equals("DR3"));
                } else {
                    assertTrue(armText.startsWith("Aided read"), armText);
                    for (int i = 0; i < 3; i++) {
                        assertTrue(robot.lookup("#aiDiagnosis" + i).tryQuery().isPresent(), "AI diagnosis " + i + " shown");
                    }
                    assertTrue(robot.lookup("DEMO \u2014 random weights, not a diagnosis").tryQuery().isPresent(), "DEMO on the AI");
                    if (read % 4 == 1) {
                        robot.type(KeyCode.H);
                        await(() -> w.stage().getScene().getRoot().lookup("#heatmapToggle") != null);
                        assertTrue(((javafx.scene.control.ToggleButton) robot.lookup("#heatmapToggle").query()).isSelected());
                    }
                    right = !truth.equals("MH") || index == 1;
                }
                String answer = right ? truth : truth.equals("DR1") ? "NORMAL" : "DR1";
                if (index == 0 && read == 2) {
                    WaitForAsyncUtils.asyncFx(() -> w.saveScreenshot(shot("reader-study-unaided.png"))).get();
                }
                @SuppressWarnings("unchecked")
                SearchableComboBox<String> first = robot.lookup("#answer1").queryAs(SearchableComboBox.class);
                @SuppressWarnings("unchecked")
                SearchableComboBox<String> second = robot.lookup("#answer2").queryAs(SearchableComboBox.class);
                robot.interact(() -> {
                    first.setValue(answer);
                    second.setValue(answer.equals("MH") ? "ERM" : "MH");
                });
                robot.clickOn("#caseTitle");
                robot.type(List.of(KeyCode.DIGIT3, KeyCode.DIGIT4, KeyCode.DIGIT5).get(read % 3));
                if (index == 0 && read == 3) {
                    WaitForAsyncUtils.waitForFxEvents();
                    WaitForAsyncUtils.asyncFx(() -> w.saveScreenshot(shot("reader-study-aided.png"))).get();
                }
                robot.press(KeyCode.CONTROL).press(KeyCode.ENTER).release(KeyCode.ENTER).release(KeyCode.CONTROL);
                WaitForAsyncUtils.waitForFxEvents();
                String status = robot.lookup("#readStatus").tryQuery().map(n -> ((Label) n).getText()).orElse("");
                assertFalse(status.contains("Choose"), status);
            }
            await(() -> robot.lookup("#sessionEnd").tryQuery().isPresent());
            assertTrue(robot.lookup("#sessionEnd").queryAs(Label.class).getText().startsWith("All 10 reads are saved"));
            robot.clickOn("#backToCoordinator");
            WaitForAsyncUtils.waitForFxEvents();
        }
        @SuppressWarnings("unchecked")
        TableView<StudyWorkspace.Progress> after = robot.lookup("#readersTable").queryAs(TableView.class);
        assertTrue(after.getItems().stream().allMatch(StudyWorkspace.Progress::done), "both readers finished");

        robot.clickOn("#showAnalysis");
        WaitForAsyncUtils.waitForFxEvents();
        String or = robot.lookup("#analysisOr").queryAs(Label.class).getText();
        assertTrue(or.contains("Obuchowski"), or);
        WaitForAsyncUtils.asyncFx(() -> w.saveScreenshot(shot("reader-study-analysis.png"))).get();
        Path html = Path.of("target", "reader-study-report.html").toAbsolutePath();
        WaitForAsyncUtils.asyncFx(() -> w.saveHtmlReport(html)).get();
        String report = Files.readString(html);
        assertTrue(report.contains("dr-a") && report.contains("dr-b") && report.contains("<svg") && report.contains("McNemar"));
        assertTrue(report.contains("Reader subgroups") && report.contains("<td>India</td>") && report.contains("under 5 years"),
                "subgroups by country and experience");

        // the read log: 20 reads, the chain intact, the AI recorded on aided reads only
        Path db = StudyWorkspace.defaultLog(protocol);
        var v = ReadLog.verify(db);
        assertTrue(v.intact(), v.problems().toString());
        assertEquals(20, v.rows());
        try (ReadLog log = ReadLog.open(db)) {
            List<ReadLog.Read> reads = log.currentReads("clinic-2026");
            assertEquals(20, reads.size());
            for (ReadLog.Read r : reads) {
                assertTrue(r.timeOnCaseMs() > 0, "time on case recorded");
                assertEquals(2, r.answers().size(), "two ranked answers: " + r.answers());
                assertTrue(r.confidence() >= 3 && r.confidence() <= 5, "the confidence typed: " + r.confidence());
                if (r.arm().equals(ReaderSession.AIDED)) {
                    assertEquals(3, r.aiTop().size());
                    assertEquals("funduslens-demo-tiny-vit", r.aiBundleId());
                    assertEquals(64, r.aiBundleSha256().length());
                    assertNotNull(r.changedAfterAi());
                } else {
                    assertTrue(r.aiTop().isEmpty());
                    assertNull(r.aiBundleId());
                    assertFalse(r.heatmapOpened());
                }
            }
            assertTrue(reads.stream().anyMatch(ReadLog.Read::heatmapOpened), "opened heatmaps are recorded");
            assertTrue(reads.stream().anyMatch(r -> Boolean.TRUE.equals(r.changedAfterAi())), "changed answers are recorded");
        }
    }
}
