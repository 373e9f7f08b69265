package org.funduslens.app;

import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.application.Platform;
import javafx.collections.FXCollections;
import javafx.concurrent.Task;
import javafx.embed.swing.SwingFXUtils;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.chart.CategoryAxis;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.image.Image;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import javafx.stage.Stage;
import javafx.util.Duration;
import org.controlsfx.control.SearchableComboBox;
import org.funduslens.image.FundusImage;
import org.funduslens.image.ImageLoadException;
import org.funduslens.image.ImageLoader;
import org.funduslens.model.Analyzer;
import org.funduslens.model.BundleException;
import org.funduslens.model.BundleManifest;
import org.funduslens.model.Diagnosis;
import org.funduslens.model.Heatmap;
import org.funduslens.model.InferenceException;
import org.funduslens.model.Reading;
import org.funduslens.study.DecisionLogException;
import org.funduslens.study.ReaderSession;
import org.funduslens.study.StudyWorkspace;
import org.funduslens.study.analysis.HtmlReport;
import org.funduslens.study.analysis.ImrmcExport;
import org.funduslens.study.analysis.ReportText;
import org.funduslens.study.analysis.StudyReport;
import org.funduslens.util.AppVersion;

/**
 * Reader-study mode, in its own window: the coordinator view (the study, enrolled readers and their progress,
 * enrolment, exports), the reading screen (one reader at a time on a shared workstation; an unaided read has no AI
 * element in the scene at all, an aided read shows the AI's top-3 and its heatmaps) and the analysis view.
 */
public final class ReaderStudyWindow {
    private final Stage stage = new Stage();
    private final StudyWorkspace study;
    private final Clock clock;
    private final BorderPane root = new BorderPane();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "funduslens-study");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, String> labelNames = new java.util.HashMap<>();
    private Analyzer analyzer;
    private String aiProblem;
    private int running;

    // coordinator
    private final TableView<StudyWorkspace.Progress> readers = new TableView<>();
    private final Label coordinatorStatus = new Label();

    // reading screen
    private ReaderSession session;
    private final ImageViewer viewer = new ImageViewer();
    private final Label caseTitle = new Label();
    private final Label armBanner = new Label();
    private final Label clockLabel = new Label();
    private final Label readStatus = new Label();
    private final VBox aiBox = new VBox(6);
    private final List<SearchableComboBox<String>> answers = new ArrayList<>();
    private final ToggleGroup confidence = new ToggleGroup();
    private final Button submit = new Button(Text.t("study.submit.read"));
    private final ToggleButton heatmapToggle = new ToggleButton(Text.t("study.show.heatmap.h"));
    private Reading aiReading;
    private final Map<Heatmap, Image> maps = new java.util.IdentityHashMap<>();
    private int selectedDiagnosis;
    private boolean heatmapOpened;
    private Timeline ticker;

    public ReaderStudyWindow(Stage owner, StudyWorkspace study, Clock clock) {
        this.study = study;
        this.clock = clock;
        stage.initOwner(owner);
        stage.setTitle("FundusLens \u2014 reader study: " + study.protocol().title());
        Scene scene = new Scene(root, 1280, 820);
        Theme.apply(scene);
        root.getStyleClass().add("main-window");
        scene.addEventFilter(javafx.scene.input.KeyEvent.KEY_PRESSED, this::readingKeys);
        stage.setScene(scene);
        stage.setOnHidden(e -> close());
        Path bundleDir = study.aiBundleDir();
        if (bundleDir == null) {
            aiProblem = study.protocol().bundle() == null ? "The protocol names no AI bundle."
                    : "The AI bundle '" + study.protocol().bundle() + "' is not installed on this computer.";
        } else {
            background("Loading the AI bundle\u2026", () -> {
                try {
                    return Analyzer.open(bundleDir, org.funduslens.util.Settings.load().preferGpu());
                } catch (BundleException e) {
                    throw new MainWindow.UserFacingException(e.getMessage(), e);
                }
            }, a -> {
                analyzer = a;
                a.bundle().labels().forEach(l -> labelNames.put(l.code(), l.name()));
                showCoordinator();
            }, message -> {
                aiProblem = message;
                showCoordinator();
            });
        }
        showCoordinator();
    }

    public Stage stage() {
        return stage;
    }

    public Stage show() {
        stage.show();
        return stage;
    }

    public boolean busy() {
        return running > 0;
    }

    public ReaderSession session() {
        return session;
    }

    public Reading aiReading() {
        return aiReading;
    }

    // ---- coordinator --------------------------------------------------------------------------------------------

    public void showCoordinator() {
        stopTicker();
        session = null;
        var p = study.protocol();
        Label title = new Label(p.title());
        title.getStyleClass().add("card-title");
        String ai = analyzer == null ? (aiProblem == null ? "loading\u2026" : aiProblem)
                : analyzer.bundle().displayName() + (analyzer.bundle().demo() ? "  \u00B7 DEMO \u2014 random weights, not a diagnosis" : "");
        Label facts = new Label(String.format(Locale.ROOT, "Study %s \u00B7 %s design%s \u00B7 %d cases \u00B7 %d labels \u00B7 %d ranked "
                        + "answers \u00B7 confidence 1\u2013%d \u00B7 protocol %s\u2026%nAI: %s%nRead log: %s", p.id(),
                p.design().name().toLowerCase(Locale.ROOT),
                p.design() == org.funduslens.study.StudyProtocol.Design.CROSSOVER ? " (washout " + p.washoutDays() + " days)" : "",
                p.cases().size(), p.labels().size(), p.rankedAnswers(), p.confidenceLevels(), p.sha256().substring(0, 12), ai,
                study.logFile()));
        facts.getStyleClass().add("muted");
        facts.setId("studyFacts");

        readers.setId("readersTable");
        readers.getColumns().clear();
        readers.getColumns().add(Rows.<StudyWorkspace.Progress>column("Reader", x -> x.reader().reader(), 120));
        readers.getColumns().add(Rows.<StudyWorkspace.Progress>column("Profile", x -> ReportText.profile(x.reader()), 220));
        readers.getColumns().add(Rows.<StudyWorkspace.Progress>column("Unaided", x -> x.unaided() + " / " + x.cases(), 90));
        readers.getColumns().add(Rows.<StudyWorkspace.Progress>column("Aided", x -> x.aided() + " / " + x.cases(), 90));
        readers.getColumns().add(Rows.<StudyWorkspace.Progress>column("Status", x -> x.done() ? "finished" : x.unaided() + x.aided() == 0 ? "not started" : "reading", 110));
        readers.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        readers.setPrefHeight(260);
        refreshProgress();

        TextField id = new TextField();
        id.setPromptText(Text.t("study.reader.id.pseudonym"));
        id.setId("enrolId");
        TextField years = new TextField();
        years.setPromptText(Text.t("study.years"));
        years.setPrefColumnCount(5);
        years.setId("enrolYears");
        TextField specialty = new TextField();
        specialty.setPromptText(Text.t("study.specialty"));
        specialty.setId("enrolSpecialty");
        TextField country = new TextField();
        country.setPromptText(Text.t("study.country"));
        country.setPrefColumnCount(8);
        country.setId("enrolCountry");
        Button enrol = new Button(Text.t("study.enrol.reader"));
        enrol.setId("enrolButton");
        enrol.setDefaultButton(true);
        enrol.setOnAction(e -> {
            Integer y = null;
            if (!years.getText().isBlank()) {
                try {
                    y = Integer.parseInt(years.getText().strip());
                } catch (NumberFormatException ex) {
                    coordinatorStatus.setText(Text.t("study.years.of.experience.is.a"));
                    return;
                }
            }
            try {
                study.enrol(id.getText().strip(), y, specialty.getText(), country.getText(), clock);
                coordinatorStatus.setText("Enrolled " + id.getText().strip() + ".");
                id.clear();
                years.clear();
                specialty.clear();
                country.clear();
                refreshProgress();
            } catch (DecisionLogException ex) {
                coordinatorStatus.setText(ex.getMessage());
            }
        });
        HBox enrolRow = new HBox(8, id, years, specialty, country, enrol);
        enrolRow.setAlignment(Pos.CENTER_LEFT);

        Button start = new Button(Text.t("study.start.reading.as.the.selected"));
        start.setId("startReading");
        start.disableProperty().bind(readers.getSelectionModel().selectedItemProperty().isNull());
        start.setOnAction(e -> startReading(readers.getSelectionModel().getSelectedItem().reader().reader()));
        Button analysis = new Button(Text.t("study.analysis"));
        analysis.setId("showAnalysis");
        analysis.setOnAction(e -> showAnalysis());
        Button exportCsv = new Button(Text.t("study.export.reads.csv"));
        exportCsv.setOnAction(e -> exportFile("reads.csv", f -> study.log().export(study.protocol(), f, null, 1)));
        Button exportImrmc = new Button(Text.t("study.export.imrmc"));
        exportImrmc.setOnAction(e -> exportFile("study.imrmc", f -> Files.writeString(f,
                ImrmcExport.render(study.protocol(), study.log().currentReads(study.protocol().id())), StandardCharsets.UTF_8)));
        HBox actions = new HBox(8, start, analysis, exportCsv, exportImrmc);
        coordinatorStatus.setId("coordinatorStatus");
        coordinatorStatus.setWrapText(true);
        VBox box = new VBox(12, title, facts, sectionTitle("Readers"), readers, sectionTitle("Enrol a reader"), enrolRow, actions,
                coordinatorStatus);
        box.setPadding(new Insets(20));
        box.getStyleClass().add("side-panel");
        root.setTop(demoBanner());
        root.setCenter(box);
        root.setRight(null);
        root.setBottom(null);
    }

    private void refreshProgress() {
        try {
            readers.setItems(FXCollections.observableArrayList(study.progress()));
        } catch (DecisionLogException e) {
            coordinatorStatus.setText(e.getMessage());
        }
    }

    private Node demoBanner() {
        if (analyzer == null || !analyzer.bundle().demo()) {
            return null;
        }
        Label banner = new Label("The AI in this study is a demo bundle: " + analyzer.bundle().demoNotice());
        banner.getStyleClass().add("demo-banner");
        banner.setMaxWidth(Double.MAX_VALUE);
        banner.setWrapText(true);
        return banner;
    }

    // ---- reading --------------------------------------------------------------------------------------------------

    public void startReading(String reader) {
        try {
            session = study.session(reader, clock, AppVersion.text());
        } catch (DecisionLogException e) {
            coordinatorStatus.setText(e.getMessage());
            return;
        }
        buildReadingScreen();
        showCurrent();
    }

    private void buildReadingScreen() {
        caseTitle.getStyleClass().add("section-title");
        caseTitle.setId("caseTitle");
        armBanner.setId("armBanner");
        armBanner.setMaxWidth(Double.MAX_VALUE);
        clockLabel.getStyleClass().add("muted");
        clockLabel.setId("caseClock");
        ToggleButton pause = new ToggleButton(Text.t("study.pause"));
        pause.setId("pauseButton");
        pause.selectedProperty().addListener((o, a, b) -> {
            if (session == null) {
                return;
            }
            if (b) {
                session.pause();
                viewer.setVisible(false);
            } else {
                session.resume();
                viewer.setVisible(true);
            }
            pause.setText(b ? "Resume" : "Pause");
        });
        Button leave = new Button(Text.t("study.end.session"));
        leave.setOnAction(e -> showCoordinator());
        Region grow = new Region();
        HBox.setHgrow(grow, Priority.ALWAYS);
        HBox top = new HBox(12, caseTitle, grow, clockLabel, pause, leave);
        top.setAlignment(Pos.CENTER_LEFT);
        top.setPadding(new Insets(8, 12, 8, 12));
        VBox header = new VBox(top, armBanner);
        Node demo = demoBanner();
        root.setTop(demo == null ? header : new VBox(demo, header));

        StackPane image = new StackPane(viewer);
        image.getStyleClass().add("viewer-pane");
        root.setCenter(image);

        answers.clear();
        VBox form = new VBox(8);
        form.getChildren().add(sectionTitle("Your diagnoses"));
        for (int i = 0; i < session.protocol().rankedAnswers(); i++) {
            SearchableComboBox<String> box = new SearchableComboBox<>(FXCollections.observableArrayList(session.protocol().labels()));
            box.setId("answer" + (i + 1));
            box.setMaxWidth(Double.MAX_VALUE);
            box.setConverter(new javafx.util.StringConverter<>() {
                @Override
                public String toString(String code) {
                    return code == null ? "" : labelText(code);
                }

                @Override
                public String fromString(String s) {
                    return session.protocol().labels().stream().filter(c -> labelText(c).equals(s)).findFirst().orElse(null);
                }
            });
            box.setPromptText(i == 0 ? "1st (required) \u2014 type to search" : (i + 1) + (i == 1 ? "nd" : "rd") + " (optional)");
            answers.add(box);
            form.getChildren().add(box);
        }
        form.getChildren().add(new Label("Confidence (keys 1\u2013" + session.protocol().confidenceLevels() + ")"));
        HBox conf = new HBox(4);
        confidence.getToggles().clear();
        for (int c = 1; c <= session.protocol().confidenceLevels(); c++) {
            ToggleButton b = new ToggleButton(Integer.toString(c));
            b.setUserData(c);
            b.setToggleGroup(confidence);
            b.setId("confidence" + c);
            conf.getChildren().add(b);
        }
        form.getChildren().add(conf);
        submit.setId("submitRead");
        submit.setMaxWidth(Double.MAX_VALUE);
        submit.setOnAction(e -> submitRead());
        readStatus.setId("readStatus");
        readStatus.setWrapText(true);
        form.getChildren().addAll(submit, new Label(Text.t("study.ctrl.enter.submits")), readStatus);

        heatmapToggle.setId("heatmapToggle");
        heatmapToggle.selectedProperty().addListener((o, a, b) -> {
            if (b) {
                heatmapOpened = true;
            }
            showMap();
        });
        aiBox.setId("aiPanel");
        VBox side = new VBox(14, form);
        side.setPadding(new Insets(14));
        side.setPrefWidth(360);
        side.getStyleClass().add("side-panel");
        ScrollPane scroll = new ScrollPane(side);
        scroll.setFitToWidth(true);
        scroll.getStyleClass().add("side-scroll");
        root.setRight(scroll);
        root.setBottom(null);
        ticker = new Timeline(new KeyFrame(Duration.millis(500), e -> tick()));
        ticker.setCycleCount(Timeline.INDEFINITE);
        ticker.play();
    }

    private String labelText(String code) {
        String name = labelNames.get(code);
        return name == null ? code : code + " \u2014 " + name;
    }

    private void showCurrent() {
        VBox side = (VBox) ((ScrollPane) root.getRight()).getContent();
        side.getChildren().remove(aiBox);
        aiBox.getChildren().clear();
        viewer.setHeatmap(null);
        heatmapToggle.setSelected(false);
        heatmapOpened = false;
        aiReading = null;
        maps.clear();
        answers.forEach(a -> a.setValue(null));
        confidence.selectToggle(null);
        readStatus.setText("");
        ReaderSession.Task t = session.current();
        if (t == null) {
            showEnd();
            return;
        }
        var p = session.protocol();
        int position = session.readsDone();
        caseTitle.setText(String.format(Locale.ROOT, "Reader %s \u00B7 case %d of %d \u00B7 session %d \u00B7 read %d of %d",
                session.reader(), t.orderIndex(), p.cases().size(), t.session(), position + 1, session.readsTotal()));
        armBanner.getStyleClass().removeAll("unaided-banner", "aided-banner");
        armBanner.getStyleClass().add(t.aided() ? "aided-banner" : "unaided-banner");
        submit.setDisable(true);
        Path image = p.imageOf(t.item());
        background("Opening " + image.getFileName() + "\u2026", () -> {
            try {
                FundusImage img = ImageLoader.load(image);
                if (!t.aided() || analyzer == null) {
                    return Map.entry(img, java.util.Optional.<Reading>empty());
                }
                Reading r = analyzer.analyze(img, Analyzer.DEFAULT_TOP);
                for (Heatmap h : r.heatmaps()) {
                    renderMap(h, img);
                }
                if (r.attention() != null) {
                    renderMap(r.attention(), img);
                }
                return Map.entry(img, java.util.Optional.of(r));
            } catch (ImageLoadException | InferenceException e) {
                throw new MainWindow.UserFacingException(e.getMessage(), e);
            }
        }, result -> {
            viewer.setImage(MainWindow.toFx(result.getKey()));
            if (t.aided()) {
                armBanner.setText(Text.t("study.aided.read.the.ai.s"));
                result.getValue().ifPresent(this::showAi);
                if (result.getValue().isEmpty()) {
                    readStatus.setText(aiProblem == null ? "The AI is not available for this read." : aiProblem);
                }
                try {
                    List<String> before = session.unaidedAnswers(t.item().id());
                    if (before != null) {
                        for (int i = 0; i < before.size() && i < answers.size(); i++) {
                            answers.get(i).setValue(before.get(i));
                        }
                    }
                } catch (DecisionLogException e) {
                    readStatus.setText(e.getMessage());
                }
            } else {
                armBanner.setText(Text.t("study.unaided.read.no.ai.is"));
            }
            submit.setDisable(false);
            session.shown();
            answers.get(0).requestFocus();
        }, message -> {
            readStatus.setText(message);
            submit.setDisable(true);
        });
    }

    private void renderMap(Heatmap h, FundusImage img) {
        BufferedImage bi = h.renderOverlay(img.width(), img.height());
        Image fx = SwingFXUtils.toFXImage(bi, null);
        synchronized (maps) {
            maps.put(h, fx);
        }
    }

    private void showAi(Reading r) {
        aiReading = r;
        aiBox.getChildren().clear();
        Label head = sectionTitle("AI suggestions \u2014 " + r.bundle().displayName());
        head.setWrapText(true);
        aiBox.getChildren().add(head);
        if (r.bundle().demo()) {
            Label demo = new Label(r.bundle().demoNotice());
            demo.getStyleClass().add("demo-banner");
            demo.setWrapText(true);
            aiBox.getChildren().add(demo);
        }
        for (int i = 0; i < r.top().size(); i++) {
            int k = i;
            VBox row = Rows.diagnosis(i, r.top().get(i), r.bundle().demo(), "aiDiagnosis" + i, () -> {
                selectedDiagnosis = k;
                heatmapToggle.setSelected(true);
                showMap();
            });
            aiBox.getChildren().add(row);
        }
        aiBox.getChildren().add(heatmapToggle);
        selectedDiagnosis = 0;
        VBox side = (VBox) ((ScrollPane) root.getRight()).getContent();
        side.getChildren().add(0, aiBox);
    }

    private void showMap() {
        if (aiReading == null || !heatmapToggle.isSelected()) {
            viewer.setHeatmap(null);
            return;
        }
        Heatmap h = aiReading.heatmaps().isEmpty() ? aiReading.attention() : aiReading.heatmapFor(selectedDiagnosis);
        viewer.setHeatmap(h == null ? null : maps.get(h));
        viewer.setHeatmapVisible(true);
        for (int i = 0; i < aiReading.top().size(); i++) {
            Node row = aiBox.lookup("#aiDiagnosis" + i);
            if (row != null) {
                row.pseudoClassStateChanged(javafx.css.PseudoClass.getPseudoClass("selected"), i == selectedDiagnosis);
            }
        }
    }

    private void submitRead() {
        ReaderSession.Task t = session.current();
        if (t == null || submit.isDisabled()) {
            return;
        }
        List<String> given = answers.stream().map(SearchableComboBox::getValue).toList();
        int conf = confidence.getSelectedToggle() == null ? 0 : (int) confidence.getSelectedToggle().getUserData();
        ReaderSession.AiShown ai = null;
        if (t.aided()) {
            ai = aiReading == null ? new ReaderSession.AiShown(null, null, List.of(), false)
                    : new ReaderSession.AiShown(aiReading.bundle().id(), aiReading.bundle().sha256(),
                            aiReading.top().stream().map(Diagnosis::code).toList(), heatmapOpened);
        }
        try {
            session.submit(new ArrayList<>(given), conf, ai);
        } catch (IllegalArgumentException e) {
            readStatus.setText(e.getMessage());
            return;
        } catch (DecisionLogException e) {
            readStatus.setText(e.getMessage());
            return;
        }
        showCurrent();
    }

    private void showEnd() {
        stopTicker();
        ReaderSession.Step step = session.step();
        String text = step == ReaderSession.Step.WASHOUT
                ? "Session 1 is complete. Session 2 opens on "
                        + DateTimeFormatter.ofPattern("d MMMM yyyy, HH:mm", Locale.ENGLISH).withZone(ZoneId.systemDefault())
                                .format(session.washoutEnds()) + ", after the washout."
                : "All " + session.readsTotal() + " reads are saved. Thank you, " + session.reader() + ".";
        Label done = new Label(text);
        done.getStyleClass().add("section-title");
        done.setId("sessionEnd");
        done.setWrapText(true);
        Button back = new Button(Text.t("study.back.to.the.coordinator.view"));
        back.setId("backToCoordinator");
        back.setOnAction(e -> showCoordinator());
        VBox box = new VBox(16, done, back);
        box.setPadding(new Insets(40));
        box.getStyleClass().add("side-panel");
        root.setCenter(box);
        root.setRight(null);
        root.setTop(demoBanner());
        back.requestFocus();
    }

    private void tick() {
        if (session == null || session.current() == null) {
            return;
        }
        long ms = session.elapsedMs();
        int limit = session.protocol().timeLimitSeconds();
        String text = String.format(Locale.ROOT, "%d:%02d on this case%s", ms / 60_000, ms / 1000 % 60, session.paused() ? " (paused)" : "");
        if (limit > 0) {
            long left = limit * 1000L - ms;
            text += left > 0 ? String.format(Locale.ROOT, " \u00B7 %d s left", left / 1000) : " \u00B7 time is up: please submit";
        }
        clockLabel.setText(text);
    }

    private void stopTicker() {
        if (ticker != null) {
            ticker.stop();
            ticker = null;
        }
    }

    private void readingKeys(javafx.scene.input.KeyEvent e) {
        if (session == null || session.current() == null) {
            return;
        }
        if (new KeyCodeCombination(KeyCode.ENTER, KeyCombination.SHORTCUT_DOWN).match(e)) {
            submitRead();
            e.consume();
            return;
        }
        if (e.getTarget() instanceof javafx.scene.control.TextInputControl || e.isShortcutDown() || e.isAltDown()) {
            return;
        }
        if (e.getCode().isDigitKey()) {
            int c = e.getCode().getCode() - KeyCode.DIGIT0.getCode();
            if (e.getCode().ordinal() >= KeyCode.NUMPAD0.ordinal() && e.getCode().ordinal() <= KeyCode.NUMPAD9.ordinal()) {
                c = e.getCode().ordinal() - KeyCode.NUMPAD0.ordinal();
            }
            for (var tg : confidence.getToggles()) {
                if ((int) tg.getUserData() == c) {
                    confidence.selectToggle(tg);
                    e.consume();
                }
            }
        } else if (e.getCode() == KeyCode.H && aiReading != null) {
            heatmapToggle.setSelected(!heatmapToggle.isSelected());
            e.consume();
        }
    }

    // ---- analysis ---------------------------------------------------------------------------------------------------

    public void showAnalysis() {
        stopTicker();
        StudyReport r;
        try {
            r = study.report();
        } catch (DecisionLogException e) {
            coordinatorStatus.setText(e.getMessage());
            return;
        }
        coordinatorStatus.setText("");
        Label title = new Label("Analysis \u2014 " + r.protocol().title());
        title.getStyleClass().add("card-title");
        Label sub = new Label(r.readers().size() + " readers \u00B7 " + r.reads() + " reads \u00B7 " + r.casesWithReference()
                + " cases with a reference diagnosis");
        sub.getStyleClass().add("muted");
        int k = r.protocol().rankedAnswers();

        GridPane summary = grid("", "unaided", "aided", "aided \u2212 unaided");
        addRow(summary, 1, "Reader-averaged top-1", ReportText.pct(r.arm(ReaderSession.UNAIDED).meanTop1()),
                ReportText.pct(r.arm(ReaderSession.AIDED).meanTop1()), ReportText.signedPct(r.differenceTop1()));
        addRow(summary, 2, "Reader-averaged top-" + k, ReportText.pct(r.arm(ReaderSession.UNAIDED).meanTopK()),
                ReportText.pct(r.arm(ReaderSession.AIDED).meanTopK()), ReportText.signedPct(r.differenceTopK()));
        addRow(summary, 3, "Median time on case", ReportText.secs(r.arm(ReaderSession.UNAIDED).medianTimeMs()),
                ReportText.secs(r.arm(ReaderSession.AIDED).medianTimeMs()), "");
        addRow(summary, 4, "The AI alone (top-1 / top-" + k + ")", ReportText.prop(r.aiTop1()), ReportText.prop(r.aiTopK()), "");
        summary.setId("analysisSummary");

        GridPane per = grid("Reader", "Unaided top-1 (95 % Wilson)", "Aided top-1 (95 % Wilson)", "McNemar p");
        int row = 1;
        for (String reader : r.readers()) {
            StudyReport.McNemar m = r.mcnemar().stream().filter(x -> x.reader().equals(reader)).findFirst().orElseThrow();
            addRow(per, row++, reader, ReportText.prop(r.of(reader, ReaderSession.UNAIDED).top1()),
                    ReportText.prop(r.of(reader, ReaderSession.AIDED).top1()),
                    String.format(Locale.ROOT, "%.3f (%d gained, %d lost)", m.p(), m.c(), m.b()));
        }

        Label or = new Label(orText("Obuchowski\u2013Rockette, top-1 accuracy (random readers and cases)", r.accuracyOr(), r.accuracyOrNote())
                + "\n" + orText("Obuchowski\u2013Rockette, AUC of abnormal (DeLong)", r.aucOr(), r.aucOrNote()));
        or.setWrapText(true);
        or.setId("analysisOr");

        CategoryAxis x = new CategoryAxis(FXCollections.observableArrayList(ReaderSession.UNAIDED, ReaderSession.AIDED));
        NumberAxis y = new NumberAxis(0, 1, 0.25);
        y.setLabel("top-1 accuracy");
        LineChart<String, Number> chart = new LineChart<>(x, y);
        chart.setTitle(Text.t("study.each.reader.unaided.aided"));
        chart.setAnimated(false);
        chart.setPrefSize(460, 320);
        chart.setMinWidth(420);
        for (String reader : r.readers()) {
            XYChart.Series<String, Number> s = new XYChart.Series<>();
            s.setName(reader);
            double u = r.of(reader, ReaderSession.UNAIDED).top1().estimate();
            double a = r.of(reader, ReaderSession.AIDED).top1().estimate();
            if (!Double.isNaN(u) && !Double.isNaN(a)) {
                s.getData().add(new XYChart.Data<>(ReaderSession.UNAIDED, u));
                s.getData().add(new XYChart.Data<>(ReaderSession.AIDED, a));
                chart.getData().add(s);
            }
        }
        chart.setId("slopeChart");

        Button html = new Button(Text.t("study.save.html.report"));
        html.setId("saveHtmlReport");
        html.setOnAction(e -> exportFile("report.html", f -> Files.writeString(f,
                HtmlReport.render(r, AppVersion.text(), clock.instant().toString()), StandardCharsets.UTF_8)));
        Button back = new Button(Text.t("study.back.to.the.coordinator.view"));
        back.setOnAction(e -> showCoordinator());
        VBox left = new VBox(12, title, sub, sectionTitle("Summary"), summary, sectionTitle("Per reader"), per, sectionTitle("Multi-reader multi-case"), or,
                new HBox(8, html, back), coordinatorStatus);
        HBox content = new HBox(24, left, chart);
        content.setPadding(new Insets(20));
        ScrollPane scroll = new ScrollPane(content);
        scroll.setFitToWidth(true);
        scroll.getStyleClass().add("side-scroll");
        content.getStyleClass().add("side-panel");
        root.setTop(demoBanner());
        root.setCenter(scroll);
        root.setRight(null);
    }

    private static String orText(String title, org.funduslens.study.analysis.OrAnalysis.Result or, String note) {
        if (or == null) {
            return title + ": " + note;
        }
        var t = or.rrrc();
        return String.format(Locale.ROOT, "%s: difference %s \u2212 %s = %.3f, F = %.3f, ddf = %s, p = %.4f, 95 %% CI (%.3f, %.3f)",
                title, or.treatments().get(0), or.treatments().get(1), t.diff(), t.statistic(), ReportText.df(t.df2()), t.p(),
                t.ciLow(), t.ciHigh());
    }

    private static GridPane grid(String... headers) {
        GridPane g = new GridPane();
        g.setHgap(18);
        g.setVgap(4);
        for (int i = 0; i < headers.length; i++) {
            Label h = new Label(headers[i]);
            h.getStyleClass().add("card-key");
            h.setMinWidth(Region.USE_PREF_SIZE);
            g.add(h, i, 0);
        }
        return g;
    }

    private static void addRow(GridPane g, int row, String... cells) {
        for (int i = 0; i < cells.length; i++) {
            Label l = new Label(cells[i]);
            l.setMinWidth(Region.USE_PREF_SIZE);
            g.add(l, i, row);
        }
    }

    private static Label sectionTitle(String text) {
        Label l = new Label(text);
        l.getStyleClass().add("section-title");
        return l;
    }

    // ---- plumbing -----------------------------------------------------------------------------------------------------

    @FunctionalInterface
    private interface FileWriter {
        void write(Path file) throws Exception;
    }

    private void exportFile(String suggested, FileWriter writer) {
        FileChooser fc = new FileChooser();
        fc.setInitialFileName(suggested);
        File f = fc.showSaveDialog(stage);
        if (f != null) {
            exportTo(f.toPath(), writer);
        }
    }

    private void exportTo(Path file, FileWriter writer) {
        try {
            writer.write(file);
            coordinatorStatus.setText("Saved " + file + ".");
        } catch (Exception e) {
            coordinatorStatus.setText(file.getFileName() + ": could not be saved (" + e.getMessage() + ").");
        }
    }

    public void saveScreenshot(Path file) {
        try {
            Snapshots.save(root.getScene(), file);
        } catch (java.io.IOException e) {
            coordinatorStatus.setText(file + ": the screenshot could not be written (" + e.getMessage() + ").");
        }
    }

    /** Writes the HTML report to {@code file} (the button's action without the file chooser). */
    public void saveHtmlReport(Path file) {
        exportTo(file, f -> Files.writeString(f, HtmlReport.render(study.report(), AppVersion.text(), clock.instant().toString()),
                StandardCharsets.UTF_8));
    }

    private <T> void background(String what, Supplier<T> work, java.util.function.Consumer<T> done,
                                java.util.function.Consumer<String> failed) {
        Task<T> task = new Task<>() {
            @Override
            protected T call() {
                return work.get();
            }
        };
        running++;
        readStatus.setText(what);
        task.setOnSucceeded(e -> {
            running--;
            if (readStatus.getText().equals(what)) {
                readStatus.setText("");
            }
            done.accept(task.getValue());
        });
        task.setOnFailed(e -> {
            running--;
            Throwable t = task.getException();
            failed.accept(t instanceof MainWindow.UserFacingException ? t.getMessage() : "Something went wrong: " + t);
        });
        worker.submit(task);
    }

    private void close() {
        stopTicker();
        worker.shutdownNow();
        Platform.runLater(() -> {
            if (analyzer != null) {
                analyzer.close();
            }
            study.close();
        });
    }
}
