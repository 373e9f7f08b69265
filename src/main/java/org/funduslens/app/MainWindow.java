package org.funduslens.app;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.concurrent.Task;
import javafx.embed.swing.SwingFXUtils;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.RadioButton;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Separator;
import javafx.scene.control.Slider;
import javafx.scene.control.TextArea;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.image.Image;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.input.KeyCombination;
import javafx.scene.input.TransferMode;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.stage.DirectoryChooser;
import javafx.stage.FileChooser;
import javafx.stage.Stage;
import org.controlsfx.control.SegmentedButton;
import org.funduslens.image.FundusImage;
import org.funduslens.image.ImageLoadException;
import org.funduslens.image.ImageLoader;
import org.funduslens.model.Analyzer;
import org.funduslens.model.BundleCatalog;
import org.funduslens.model.BundleException;
import org.funduslens.model.BundleLocator;
import org.funduslens.model.BundleManifest;
import org.funduslens.model.Diagnosis;
import org.funduslens.model.Heatmap;
import org.funduslens.model.InferenceException;
import org.funduslens.model.Reading;
import org.funduslens.study.Decision;
import org.funduslens.study.DecisionLog;
import org.funduslens.study.DecisionLogException;
import org.funduslens.study.RecentFiles;

/**
 * The reading window: the image with its heatmap, the AI's top-3, and the clinician's decision. Every action here
 * calls the core ({@link Analyzer}, {@link DecisionLog}); long work runs on one background thread behind a
 * progress indicator, never on the FX thread.
 */
public final class MainWindow {
    private static final int TOP = 3;
    private static final String MAP_CLASS = "Patch logits";
    private static final String MAP_ATTENTION = "Attention";
    private static final String MAP_OCCLUSION = "Occlusion";

    private final Stage stage;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "funduslens-worker");
        t.setDaemon(true);
        return t;
    });
    private final RecentFiles recent = RecentFiles.inDataFolder();
    private final ObjectProperty<Reading> reading = new SimpleObjectProperty<>();
    private final Map<Heatmap, Image> renderedMaps = new IdentityHashMap<>();
    private final List<Runnable> idleActions = new ArrayList<>();
    private int running;

    private Analyzer analyzer;
    private DecisionLog log;
    private org.funduslens.study.SimilarCaseIndex similarIndex;
    private StudyBrowser browser;
    private WorklistPanel worklistPanel;
    private org.funduslens.study.Worklist worklist;
    private String worklistName;
    private javafx.scene.control.CheckMenuItem redFreeItem;
    private FundusImage shownImage;
    private final VBox similarList = new VBox(6);

    private final BorderPane root = new BorderPane();
    private final ImageViewer viewer = new ImageViewer();
    private final javafx.scene.control.Slider frameSlider = new javafx.scene.control.Slider(1, 1, 1);
    private final Label frameLabel = new Label();
    private final HBox frameBar = new HBox(10);
    private Path volume;
    private int volumeFrames;
    private final Label placeholder = new Label(Text.t("main.open.a.fundus.photograph.file"));
    private final Label demoBanner = new Label();
    private final Label providerBanner = new Label();
    private final Menu recentMenu = new Menu(Text.t("main.open.recent"));
    private final Menu modelsMenu = new Menu(Text.t("main.models"));
    private final ToggleGroup modelChoice = new ToggleGroup();
    private Path currentBundleDir;
    private final VBox diagnosisList = new VBox(6);
    private final Label heatmapCaption = new Label();
    private final CheckBox showHeatmap = new CheckBox(Text.t("main.show.heatmap"));
    private final javafx.scene.control.ChoiceBox<String> heatmapKind = new javafx.scene.control.ChoiceBox<>();
    private final ProgressBar occlusionProgress = new ProgressBar(0);
    private final Button cancelOcclusion = new Button(Text.t("main.cancel"));
    private final HBox occlusionRow = new HBox(8, new Label(Text.t("main.occlusion")), occlusionProgress, cancelOcclusion);
    private final Map<Reading, List<Heatmap>> occlusionMaps = new IdentityHashMap<>();
    private Task<Map<Heatmap, BufferedImage>> occlusionTask;
    private final Slider opacity = new Slider(0, 1, 0.7);
    private final ToggleGroup decisionChoice = new ToggleGroup();
    private final RadioButton agree = new RadioButton(Text.t("main.agree.with.the.ai"));
    private final RadioButton own = new RadioButton(Text.t("main.my.own.diagnosis"));
    private final org.controlsfx.control.SearchableComboBox<BundleManifest.Label> ownDiagnosis = labelChooser("ownDiagnosis");
    private final org.controlsfx.control.SearchableComboBox<BundleManifest.Label> secondDiagnosis = labelChooser("secondDiagnosis");
    private final org.controlsfx.control.SearchableComboBox<BundleManifest.Label> thirdDiagnosis = labelChooser("thirdDiagnosis");
    private final ToggleGroup confidenceGroup = new ToggleGroup();
    private final ToggleGroup referralGroup = new ToggleGroup();
    private long shownAtNanos;
    private final TextArea note = new TextArea();
    private final Button save = new Button(Text.t("main.save.decision"));
    private final Label saveStatus = new Label();
    private final Label imageStatus = new Label(Text.t("main.no.image"));
    private final Label modelStatus = new Label(Text.t("main.loading.model"));
    private final Label providerStatus = new Label();
    private final Label timingStatus = new Label();
    private final Label activity = new Label();
    private final Label eyeBadge = new Label();
    private final ProgressIndicator progress = new ProgressIndicator();
    private int selectedDiagnosis;

    private CompareWindow lastComparison;
    private final javafx.scene.control.Hyperlink details = new javafx.scene.control.Hyperlink(Text.t("main.details"));
    private Throwable lastFailure;
    private String lastFailureMessage;
    private final javafx.scene.control.CheckMenuItem loupeItem = new javafx.scene.control.CheckMenuItem(Text.t("main.loupe"));
    private final javafx.scene.control.CheckMenuItem measureItem = new javafx.scene.control.CheckMenuItem(Text.t("main.measure.drag.a.line"));

    public MainWindow(Stage stage, Path bundleDir) {
        this.stage = stage;
        build();
        loadModel(bundleDir != null ? bundleDir : BundleLocator.demoBundle());
        runInBackground("Opening the decision log\u2026", () -> {
            try {
                return DecisionLog.openDefault();
            } catch (DecisionLogException e) {
                throw new UserFacingException(e.getMessage(), e);
            }
        }, l -> log = l);
        runInBackground("Opening the similar-case index\u2026", () -> {
            try {
                return org.funduslens.study.SimilarCaseIndex.openDefault();
            } catch (org.funduslens.study.SimilarCaseException e) {
                throw new UserFacingException(e.getMessage(), e);
            }
        }, i -> similarIndex = i);
    }

    public Scene scene() {
        Scene scene = new Scene(root, 1280, 820);
        Theme.apply(scene);
        // without the mouse: A agrees, 1-5 sets the confidence, U/R/N the referral, Ctrl+Enter saves; H heatmap, G red-free
        scene.addEventFilter(javafx.scene.input.KeyEvent.KEY_PRESSED, e -> {
            if (e.getTarget() instanceof javafx.scene.control.TextInputControl && !e.isShortcutDown()) {
                return;
            }
            switch (e.getCode()) {
                case DIGIT1, DIGIT2, DIGIT3, DIGIT4, DIGIT5, NUMPAD1, NUMPAD2, NUMPAD3, NUMPAD4, NUMPAD5 -> {
                    int n = e.getCode().getName().charAt(e.getCode().getName().length() - 1) - '0';
                    confidenceGroup.getToggles().stream().filter(t -> Integer.valueOf(n).equals(t.getUserData())).findFirst()
                            .ifPresent(confidenceGroup::selectToggle);
                    e.consume();
                }
                case H -> {
                    showHeatmap.setSelected(!showHeatmap.isSelected());
                    e.consume();
                }
                case G -> {
                    if (redFreeItem != null) {
                        redFreeItem.setSelected(!redFreeItem.isSelected());
                        e.consume();
                    }
                }
                case A -> {
                    if (reading.get() != null) {
                        decisionChoice.selectToggle(agree);
                        e.consume();
                    }
                }
                case U, R, N -> {
                    Decision.Referral r = e.getCode() == javafx.scene.input.KeyCode.U ? Decision.Referral.URGENT
                            : e.getCode() == javafx.scene.input.KeyCode.R ? Decision.Referral.ROUTINE : Decision.Referral.NONE;
                    referralGroup.getToggles().stream().filter(t -> r.equals(t.getUserData())).findFirst()
                            .ifPresent(referralGroup::selectToggle);
                    e.consume();
                }
                case L -> {
                    loupeItem.setSelected(!loupeItem.isSelected());
                    e.consume();
                }
                case M -> {
                    measureItem.setSelected(!measureItem.isSelected());
                    e.consume();
                }
                case OPEN_BRACKET, CLOSE_BRACKET -> {
                    if (volume != null) {
                        frameSlider.setValue(Math.max(1, Math.min(volumeFrames, Math.round(frameSlider.getValue())
                                + (e.getCode() == javafx.scene.input.KeyCode.CLOSE_BRACKET ? 1 : -1))));
                        e.consume();
                    }
                }
                case PAGE_DOWN, PAGE_UP -> {
                    moveInWorklist(e.getCode() == javafx.scene.input.KeyCode.PAGE_DOWN);
                    e.consume();
                }
                case ENTER -> {
                    if (e.isShortcutDown() && !save.isDisable()) {
                        saveDecision();
                        e.consume();
                    }
                }
                default -> { }
            }
        });
        scene.setOnDragOver(e -> {
            if (e.getDragboard().hasFiles()) {
                e.acceptTransferModes(TransferMode.COPY);
            }
            e.consume();
        });
        scene.setOnDragDropped(e -> {
            List<File> files = e.getDragboard().getFiles();
            if (files != null && !files.isEmpty()) {
                openImage(files.get(0).toPath());
            }
            e.setDropCompleted(files != null && !files.isEmpty());
            e.consume();
        });
        return scene;
    }

    // ------------------------------------------------------------------------------------------ layout

    private void build() {
        root.getStyleClass().add("main-window");
        demoBanner.setId("demoBanner");
        demoBanner.getStyleClass().add("demo-banner");
        demoBanner.setMaxWidth(Double.MAX_VALUE);
        demoBanner.setVisible(false);
        demoBanner.setManaged(false);
        providerBanner.setId("providerBanner");
        providerBanner.getStyleClass().add("provider-banner");
        providerBanner.setMaxWidth(Double.MAX_VALUE);
        providerBanner.setVisible(false);
        providerBanner.setManaged(false);
        root.setTop(new VBox(menuBar(), demoBanner, providerBanner));

        placeholder.getStyleClass().add("placeholder");
        placeholder.setWrapText(true);
        frameSlider.setId("frameSlider");
        frameSlider.setMajorTickUnit(1);
        frameSlider.setMinorTickCount(0);
        frameSlider.setSnapToTicks(true);
        frameSlider.setBlockIncrement(1);
        HBox.setHgrow(frameSlider, Priority.ALWAYS);
        frameLabel.setId("frameLabel");
        frameLabel.getStyleClass().add("frame-label");
        frameBar.getChildren().setAll(frameLabel, frameSlider);
        frameBar.getStyleClass().add("frame-bar");
        frameBar.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        frameBar.setMaxHeight(Region.USE_PREF_SIZE);
        frameBar.setVisible(false);
        frameSlider.valueProperty().addListener((o, a, b) -> {
            int k = (int) Math.round(b.doubleValue());
            if (volume != null && k != (int) Math.round(a.doubleValue())) {
                showVolumeFrame(k - 1, false);
            }
        });
        StackPane centre = new StackPane(viewer, placeholder, frameBar);
        StackPane.setAlignment(frameBar, javafx.geometry.Pos.BOTTOM_CENTER);
        centre.getStyleClass().add("viewer-pane");
        root.setCenter(centre);

        Region side = (Region) sidePanel();
        side.setPrefWidth(380);
        side.setMinWidth(340);
        root.setRight(side);
        root.setBottom(statusBar());
    }

    private MenuBar menuBar() {
        MenuItem open = new MenuItem(Text.t("main.open.image"));
        open.setId("openMenu");
        open.setAccelerator(KeyCombination.keyCombination("Shortcut+O"));
        open.setOnAction(e -> chooseImage());
        MenuItem folder = new MenuItem(Text.t("main.open.folder.as.worklist"));
        folder.setId("openWorklistMenu");
        folder.setOnAction(e -> {
            DirectoryChooser dc = new DirectoryChooser();
            dc.setTitle(Text.t("main.a.folder.of.photographs.to"));
            File d = dc.showDialog(stage);
            if (d != null) {
                openWorklist(d.toPath());
            }
        });
        MenuItem dicom = new MenuItem(Text.t("main.open.dicom.folder.or.medium"));
        dicom.setId("openDicomMenu");
        dicom.setOnAction(e -> chooseDicomFolder());
        MenuItem pacs = new MenuItem(Text.t("main.search.a.pacs.dicomweb"));
        pacs.setId("pacsMenu");
        pacs.setOnAction(e -> openPacsDialog());
        MenuItem model = new MenuItem(Text.t("main.open.model.bundle"));
        model.setOnAction(e -> chooseBundle());
        MenuItem history = new MenuItem(Text.t("main.decision.history"));
        history.setId("historyMenu");
        history.setAccelerator(KeyCombination.keyCombination("Shortcut+Y"));
        history.setOnAction(e -> showHistory());
        MenuItem export = new MenuItem(Text.t("main.export.decisions.as.csv"));
        export.setId("exportMenu");
        export.setOnAction(e -> chooseExport());
        MenuItem settings = new MenuItem(Text.t("main.settings"));
        settings.setId("settingsMenu");
        settings.setAccelerator(KeyCombination.keyCombination("Shortcut+Comma"));
        settings.setOnAction(e -> showSettings());
        MenuItem quit = new MenuItem(Text.t("main.quit"));
        quit.setAccelerator(KeyCombination.keyCombination("Shortcut+Q"));
        quit.setOnAction(e -> stage.close());
        recentMenu.setId("recentMenu");
        refreshRecentMenu(recent.list());
        Menu file = new Menu(Text.t("main.file"), null, open, folder, dicom, pacs, recentMenu, model, new javafx.scene.control.SeparatorMenuItem(), history, export,
                new javafx.scene.control.SeparatorMenuItem(), settings, quit);

        MenuItem fit = new MenuItem(Text.t("main.fit.to.window"));
        fit.setAccelerator(KeyCombination.keyCombination("Shortcut+0"));
        fit.setOnAction(e -> viewer.fit());
        MenuItem actual = new MenuItem(Text.t("main.actual.size"));
        actual.setAccelerator(KeyCombination.keyCombination("Shortcut+1"));
        actual.setOnAction(e -> viewer.actualSize());
        MenuItem in = new MenuItem(Text.t("main.zoom.in"));
        in.setAccelerator(KeyCombination.keyCombination("Shortcut+Plus"));
        in.setOnAction(e -> viewer.zoomIn());
        MenuItem out = new MenuItem(Text.t("main.zoom.out"));
        out.setAccelerator(KeyCombination.keyCombination("Shortcut+Minus"));
        out.setOnAction(e -> viewer.zoomOut());
        // single-letter keys (H, G, A, 1-5, U, R, N) are handled by the scene's key filter, which leaves text fields alone
        loupeItem.setId("loupeMenu");
        loupeItem.selectedProperty().addListener((o, a, b) -> viewer.setLoupe(b));
        measureItem.setId("measureMenu");
        measureItem.selectedProperty().addListener((o, a, b) -> viewer.setMeasuring(b, this::measureLabel));
        MenuItem sideBySide = new MenuItem(Text.t("main.side.by.side.with.another"));
        sideBySide.setId("sideBySideMenu");
        sideBySide.setAccelerator(KeyCombination.keyCombination("Shortcut+D"));
        sideBySide.setOnAction(e -> {
            if (shownImage == null) {
                showError("Open an image first; then choose the one to set beside it.");
                return;
            }
            FileChooser fc = new FileChooser();
            fc.setTitle("The image to set beside " + shownImage.description());
            File f = fc.showOpenDialog(stage);
            if (f != null) {
                sideBySide(f.toPath());
            }
        });
        MenuItem toggle = new MenuItem(Text.t("main.toggle.heatmap"));
        toggle.setOnAction(e -> showHeatmap.setSelected(!showHeatmap.isSelected()));
        MenuItem rotate = new MenuItem(Text.t("main.rotate.90"));
        rotate.setAccelerator(KeyCombination.keyCombination("Shortcut+R"));
        rotate.setOnAction(e -> viewer.rotate());
        MenuItem flip = new MenuItem(Text.t("main.flip.leftright"));
        flip.setAccelerator(KeyCombination.keyCombination("Shortcut+F"));
        flip.setOnAction(e -> viewer.flip());
        javafx.scene.control.CheckMenuItem redFree = new javafx.scene.control.CheckMenuItem(Text.t("main.red.free.green.channel"));
        redFree.setId("redFreeMenu");
        redFree.selectedProperty().addListener((o, a, b) -> showRedFree(b));
        MenuItem brighter = new MenuItem(Text.t("main.brighter"));
        brighter.setAccelerator(KeyCombination.keyCombination("Shortcut+Up"));
        brighter.setOnAction(e -> viewer.adjust(viewer.brightness() + 0.1, viewer.contrast()));
        MenuItem darker = new MenuItem(Text.t("main.darker"));
        darker.setAccelerator(KeyCombination.keyCombination("Shortcut+Down"));
        darker.setOnAction(e -> viewer.adjust(viewer.brightness() - 0.1, viewer.contrast()));
        MenuItem moreContrast = new MenuItem(Text.t("main.more.contrast"));
        moreContrast.setAccelerator(KeyCombination.keyCombination("Shortcut+Right"));
        moreContrast.setOnAction(e -> viewer.adjust(viewer.brightness(), viewer.contrast() + 0.1));
        MenuItem lessContrast = new MenuItem(Text.t("main.less.contrast"));
        lessContrast.setAccelerator(KeyCombination.keyCombination("Shortcut+Left"));
        lessContrast.setOnAction(e -> viewer.adjust(viewer.brightness(), viewer.contrast() - 0.1));
        MenuItem reset = new MenuItem(Text.t("main.reset.brightness.and.contrast"));
        reset.setOnAction(e -> viewer.adjust(0, 0));
        this.redFreeItem = redFree;
        Menu view = new Menu(Text.t("main.view"), null, fit, actual, in, out, rotate, flip, new javafx.scene.control.SeparatorMenuItem(),
                redFree, brighter, darker, moreContrast, lessContrast, reset, new javafx.scene.control.SeparatorMenuItem(), loupeItem,
                measureItem, sideBySide, new javafx.scene.control.SeparatorMenuItem(), toggle);

        modelsMenu.setId("modelsMenu");
        refreshModelsMenu();

        MenuItem openStudy = new MenuItem(Text.t("main.open.reader.study"));
        openStudy.setId("openStudyMenu");
        openStudy.setOnAction(e -> {
            FileChooser fc = new FileChooser();
            fc.setTitle(Text.t("main.a.reader.study.protocol.study"));
            fc.getExtensionFilters().add(new FileChooser.ExtensionFilter("Reader-study protocol", "*.json"));
            File f = fc.showOpenDialog(stage);
            if (f != null) {
                openReaderStudy(f.toPath());
            }
        });
        Menu studyMenu = new Menu(Text.t("main.reader.study"), null, openStudy);

        MenuItem about = new MenuItem(Text.t("main.about.funduslens"));
        about.setOnAction(e -> about());
        Menu help = new Menu(Text.t("main.help"), null, about);
        return new MenuBar(file, view, modelsMenu, studyMenu, help);
    }

    private Node sidePanel() {
        Label aiTitle = new Label(Text.t("main.ai.differential"));
        aiTitle.getStyleClass().add("section-title");
        diagnosisList.setId("diagnosisList");
        Label empty = new Label(Text.t("main.no.image.analysed.yet"));
        empty.getStyleClass().add("muted");
        diagnosisList.getChildren().add(empty);

        showHeatmap.setId("showHeatmap");
        showHeatmap.setSelected(true);
        showHeatmap.selectedProperty().addListener((o, a, b) -> viewer.setHeatmapVisible(b));
        heatmapKind.setId("heatmapKind");
        heatmapKind.getItems().setAll(MAP_CLASS, MAP_ATTENTION, MAP_OCCLUSION);
        heatmapKind.setValue(MAP_CLASS);
        heatmapKind.valueProperty().addListener((o, a, b) -> {
            if (MAP_OCCLUSION.equals(b)) {
                startOcclusion();
            }
            selectDiagnosis(selectedDiagnosis);
        });
        occlusionProgress.setId("occlusionProgress");
        occlusionProgress.setMaxWidth(Double.MAX_VALUE);
        HBox.setHgrow(occlusionProgress, Priority.ALWAYS);
        cancelOcclusion.setId("cancelOcclusion");
        cancelOcclusion.setOnAction(e -> {
            if (occlusionTask != null) {
                occlusionTask.cancel();
            }
        });
        occlusionRow.setAlignment(Pos.CENTER_LEFT);
        occlusionRow.setVisible(false);
        occlusionRow.managedProperty().bind(occlusionRow.visibleProperty());
        opacity.setId("opacitySlider");
        viewer.heatmapOpacityProperty().bind(opacity.valueProperty());
        Label opacityLabel = new Label(Text.t("main.opacity"));
        HBox opacityRow = new HBox(8, opacityLabel, opacity);
        opacityRow.setAlignment(Pos.CENTER_LEFT);
        HBox.setHgrow(opacity, Priority.ALWAYS);
        heatmapCaption.setId("heatmapCaption");
        heatmapCaption.setWrapText(true);
        heatmapCaption.getStyleClass().add("muted");
        HBox legend = legend();

        Label similarTitle = new Label(Text.t("main.similar.cases"));
        similarTitle.getStyleClass().add("section-title");
        similarList.setId("similarList");

        Label decisionTitle = new Label(Text.t("main.your.decision"));
        decisionTitle.getStyleClass().add("section-title");
        agree.setId("agreeRadio");
        own.setId("ownRadio");
        agree.setToggleGroup(decisionChoice);
        own.setToggleGroup(decisionChoice);
        agree.setWrapText(true);
        ownDiagnosis.setPromptText(Text.t("main.choose.a.diagnosis.type.to"));
        ownDiagnosis.disableProperty().bind(own.selectedProperty().not());
        ownDiagnosis.valueProperty().addListener((o, a, b) -> formChanged());
        secondDiagnosis.setPromptText(Text.t("main.2nd.optional"));
        thirdDiagnosis.setPromptText(Text.t("main.3rd.optional"));
        thirdDiagnosis.disableProperty().bind(secondDiagnosis.valueProperty().isNull());
        secondDiagnosis.valueProperty().addListener((o, a, b) -> {
            if (b == null) {
                thirdDiagnosis.setValue(null);
            }
            formChanged();
        });
        thirdDiagnosis.valueProperty().addListener((o, a, b) -> formChanged());
        HBox.setHgrow(secondDiagnosis, Priority.ALWAYS);
        HBox.setHgrow(thirdDiagnosis, Priority.ALWAYS);
        HBox differentialRow = new HBox(6, secondDiagnosis, thirdDiagnosis);
        decisionChoice.selectedToggleProperty().addListener((o, a, b) -> formChanged());

        Label confidenceLabel = new Label(Text.t("main.confidence.1.unsure.5.certain"));
        SegmentedButton confidence = new SegmentedButton();
        confidence.setId("confidence");
        confidence.setToggleGroup(confidenceGroup);
        for (int i = 1; i <= 5; i++) {
            ToggleButton b = new ToggleButton(Integer.toString(i));
            b.setId("confidence" + i);
            b.setUserData(i);
            b.setPrefWidth(48);
            confidence.getButtons().add(b);
        }
        confidenceGroup.selectedToggleProperty().addListener((o, a, b) -> formChanged());
        Label referralLabel = new Label(Text.t("main.referral"));
        SegmentedButton referral = new SegmentedButton();
        referral.setId("referral");
        referral.setToggleGroup(referralGroup);
        for (Decision.Referral r : Decision.Referral.values()) {
            ToggleButton b = new ToggleButton(switch (r) {
                case URGENT -> "Urgent";
                case ROUTINE -> "Routine";
                case NONE -> "None";
            });
            b.setId("referral" + r.name().charAt(0) + r.name().substring(1).toLowerCase(Locale.ROOT));
            b.setUserData(r);
            b.setPrefWidth(80);
            referral.getButtons().add(b);
        }
        HBox referralRow = new HBox(10, referralLabel, referral);
        referralRow.setAlignment(Pos.CENTER_LEFT);
        note.setId("noteArea");
        note.setPromptText(Text.t("main.note.optional"));
        note.setPrefRowCount(3);
        note.setWrapText(true);
        note.textProperty().addListener((o, a, b) -> formChanged());
        save.setId("saveButton");
        save.setDefaultButton(false);
        save.setMaxWidth(Double.MAX_VALUE);
        save.setDisable(true);
        save.setOnAction(e -> saveDecision());
        saveStatus.setId("saveStatus");
        saveStatus.setWrapText(true);
        saveStatus.getStyleClass().add("muted");

        HBox heatRow = new HBox(10, showHeatmap, heatmapKind);
        heatRow.setAlignment(Pos.CENTER_LEFT);
        // what the AI offers scrolls; the decision form stays in view, so Save is always one click away
        VBox ai = new VBox(10, aiTitle, diagnosisList, heatRow, occlusionRow, opacityRow, legend, heatmapCaption,
                new Separator(), similarTitle, similarList);
        ai.setPadding(new Insets(14));
        ai.getStyleClass().add("side-panel");
        ScrollPane scroll = new ScrollPane(ai);
        scroll.setFitToWidth(true);
        scroll.getStyleClass().add("side-scroll");
        note.setPrefRowCount(2);
        saveStatus.setMinHeight(Region.USE_PREF_SIZE);
        Label differentialLabel = new Label(Text.t("main.differential.ranked"));
        VBox decision = new VBox(8, decisionTitle, agree, own, ownDiagnosis, differentialLabel, differentialRow, confidenceLabel,
                confidence, referralRow, note,
                save, saveStatus);
        decision.setPadding(new Insets(10, 14, 12, 14));
        decision.getStyleClass().addAll("side-panel", "decision-panel");
        BorderPane side = new BorderPane(scroll);
        side.setBottom(decision);
        return side;
    }

    private HBox legend() {
        WritableImage ramp = new WritableImage(160, 10);
        BufferedImage tmp = new Heatmap("legend", null, 160, 1, ramp(160), new org.funduslens.model.CropRegion(0, 0, 160, 10))
                .render(160, 10);
        SwingFXUtils.toFXImage(tmp, ramp);
        Label low = new Label(Text.t("main.low"));
        Label high = new Label(Text.t("main.high"));
        low.getStyleClass().add("muted");
        high.getStyleClass().add("muted");
        HBox h = new HBox(6, low, new javafx.scene.image.ImageView(ramp), high);
        h.setAlignment(Pos.CENTER_LEFT);
        return h;
    }

    private static float[] ramp(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i / (float) (n - 1);
        }
        return v;
    }

    private Node statusBar() {
        progress.setId("progress");
        progress.setPrefSize(18, 18);
        progress.setVisible(false);
        imageStatus.setId("imageStatus");
        modelStatus.setId("modelStatus");
        providerStatus.setId("providerStatus");
        timingStatus.setId("timingStatus");
        activity.setId("activity");
        eyeBadge.setId("eyeBadge");
        eyeBadge.getStyleClass().add("eye-badge");
        // the eye, the provider and the timing never shrink; the file and model names give way first
        eyeBadge.setMinWidth(Region.USE_PREF_SIZE);
        providerStatus.setMinWidth(Region.USE_PREF_SIZE);
        timingStatus.setMinWidth(Region.USE_PREF_SIZE);
        activity.getStyleClass().add("muted");
        Region grow = new Region();
        HBox.setHgrow(grow, Priority.ALWAYS);
        details.setId("errorDetails");
        details.setVisible(false);
        details.setManaged(false);
        details.setOnAction(e -> showErrorDetails());
        HBox bar = new HBox(14, imageStatus, details, eyeBadge, new Separator(javafx.geometry.Orientation.VERTICAL), modelStatus,
                new Separator(javafx.geometry.Orientation.VERTICAL), providerStatus, grow, activity, timingStatus, progress);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.setPadding(new Insets(4, 10, 4, 10));
        bar.getStyleClass().add("status-bar");
        return bar;
    }

    // ------------------------------------------------------------------------------------------ actions

    private void chooseImage() {
        FileChooser fc = new FileChooser();
        fc.setTitle(Text.t("main.open.a.fundus.photograph"));
        fc.getExtensionFilters().addAll(
                new FileChooser.ExtensionFilter("Fundus images (JPEG, PNG, TIFF, DICOM)", "*.jpg", "*.jpeg", "*.png", "*.tif",
                        "*.tiff", "*.dcm", "*.JPG", "*.JPEG", "*.PNG", "*.TIF", "*.TIFF", "*.DCM"),
                new FileChooser.ExtensionFilter("All files", "*"));
        List<Path> r = recent.list();
        if (!r.isEmpty() && r.get(0).getParent() != null && Files.isDirectory(r.get(0).getParent())) {
            fc.setInitialDirectory(r.get(0).getParent().toFile());
        }
        File f = fc.showOpenDialog(stage);
        if (f != null) {
            openImage(f.toPath());
        }
    }

    private void chooseExport() {
        FileChooser fc = new FileChooser();
        fc.setTitle(Text.t("main.export.the.decision.log"));
        fc.setInitialFileName("funduslens-decisions.csv");
        fc.getExtensionFilters().add(new FileChooser.ExtensionFilter("CSV", "*.csv"));
        File f = fc.showSaveDialog(stage);
        if (f != null) {
            exportDecisions(f.toPath());
        }
    }

    /** Reads a folder's photographs one after another: a worklist beside the image, PageDown and PageUp to move. */
    public void openWorklist(Path folder) {
        DecisionLog l = log;
        runInBackground("Reading the folder\u2026", () -> {
            try {
                org.funduslens.study.Worklist w = org.funduslens.study.Worklist.ofFolder(folder);
                if (l != null) {
                    w.markDecided(l.decidedImages());
                }
                return w;
            } catch (IOException | DecisionLogException e) {
                throw new UserFacingException(folder + ": the folder cannot be read as a worklist (" + e.getMessage() + ").", e);
            }
        }, w -> {
            worklist = w;
            worklistName = folder.getFileName().toString();
            if (worklistPanel == null) {
                worklistPanel = new WorklistPanel(this::openImage);
            }
            worklistPanel.show(worklistName, w);
            root.setLeft(worklistPanel);
            Path first = w.items().stream().filter(p -> w.status(p) != org.funduslens.study.Worklist.Status.DECIDED)
                    .findFirst().orElse(w.items().isEmpty() ? null : w.items().get(0));
            if (first != null) {
                openImage(first);
            }
        });
    }

    /** The next (or previous) image of the worklist, if there is one. */
    public void moveInWorklist(boolean forward) {
        if (worklist == null) {
            return;
        }
        Path p = forward ? worklist.next() : worklist.previous();
        if (p != null) {
            openImage(p);
        }
    }

    public org.funduslens.study.Worklist worklist() {
        return worklist;
    }

    /** Writes the decision log as CSV in the background. */
    public void exportDecisions(Path csv) {
        DecisionLog l = log;
        runInBackground("Exporting decisions\u2026", () -> {
            try {
                return l.exportCsv(csv);
            } catch (DecisionLogException e) {
                throw new UserFacingException(e.getMessage(), e);
            }
        }, n -> saveStatus.setText(n + " decisions exported to " + csv.getFileName() + "."));
    }

    private void chooseDicomFolder() {
        DirectoryChooser dc = new DirectoryChooser();
        dc.setTitle(Text.t("main.a.folder.of.dicom.files"));
        File d = dc.showDialog(stage);
        if (d != null) {
            openStudies(d.toPath());
        }
    }

    /** Lists the studies of a DICOM folder, DICOMDIR or file in the study browser beside the image. */
    public void openStudies(Path path) {
        openStudies(path, path.getFileName().toString());
    }

    /** Opens a folder or DICOMDIR in the study browser under {@code title}. */
    public void openStudies(Path path, String title) {
        runInBackground("Reading the studies\u2026", () -> {
            try {
                return org.funduslens.dicom.StudyTree.open(path);
            } catch (org.funduslens.dicom.DicomException e) {
                throw new UserFacingException(e.getMessage(), e);
            }
        }, tree -> {
            if (browser == null) {
                browser = new StudyBrowser(this::openImage);
            }
            int n = tree.instances().size();
            browser.show(title + " \u2014 " + n + (n == 1 ? " image" : " images"), tree);
            root.setLeft(browser);
            if (!tree.problems().isEmpty()) {
                saveStatus.setText(tree.problems().size() + " files could not be read; the first: " + tree.problems().get(0));
            }
        });
    }

    /** The study browser's heading (source and image count), or null before one was opened. */
    public String studyBrowserTitle() {
        return browser == null ? null : browser.title();
    }

    /** The study browser, once a DICOM folder or medium has been opened (for tests). */
    public javafx.scene.control.TreeView<Object> studyTree() {
        return browser == null ? null : browser.tree();
    }

    private void chooseBundle() {
        DirectoryChooser dc = new DirectoryChooser();
        dc.setTitle(Text.t("main.open.a.funduslens.model.bundle"));
        File d = dc.showDialog(stage);
        if (d != null) {
            loadModel(d.toPath());
        }
    }

    /** Loads a bundle in the background; the current image, if any, is analysed again with it. */
    public void loadModel(Path bundleDir) {
        modelStatus.setText(Text.t("main.loading.model"));
        runInBackground("Loading model\u2026", () -> {
            try {
                return Analyzer.open(bundleDir, org.funduslens.util.Settings.load().preferGpu());
            } catch (BundleException e) {
                throw new UserFacingException(e.getMessage(), e);
            }
        }, a -> {
            Analyzer old = analyzer;
            analyzer = a;
            currentBundleDir = a.bundle().dir();
            refreshModelsMenu();
            if (old != null) {
                worker.submit(old::close);
            }
            showModel();
            Reading r = reading.get();
            if (r != null) {
                analyze(r.image());
            }
        });
    }

    private void showModel() {
        var b = analyzer.bundle();
        modelStatus.setText("Model: " + b.displayName());
        String provider = "Running on " + analyzer.provider().label();
        providerStatus.setText(provider);
        boolean demo = b.demo();
        demoBanner.setText("\u26A0  " + b.demoNotice() + "  \u2014  " + b.displayName());
        demoBanner.setVisible(demo);
        demoBanner.setManaged(demo);
        String notice = analyzer.providerNotice();
        providerBanner.setText(notice == null ? "" : notice);
        providerBanner.setVisible(notice != null);
        providerBanner.setManaged(notice != null);
        stage.setTitle("FundusLens" + (demo ? " \u2014 DEMO" : ""));
        ownDiagnosis.getItems().setAll(b.labels());
        secondDiagnosis.getItems().setAll(b.labels());
        thirdDiagnosis.getItems().setAll(b.labels());
    }

    /** Opens and analyses an image file: the menu, drag and drop, recent files and tests all come here. */
    /** What opening a file found: an OCT volume's B-scan count (then no image yet), or the image. */
    private record Opened(int octFrames, FundusImage image) {}

    public void openImage(Path file) {
        imageStatus.setText("Opening " + file.getFileName() + "\u2026");
        runInBackground("Opening " + file.getFileName() + "\u2026", () -> {
            // even the OCT check reads the file, so it too stays off the FX thread
            int frames = ImageLoader.octFrames(file);
            if (frames > 0) {
                return new Opened(frames, null);
            }
            try {
                return new Opened(0, ImageLoader.load(file));
            } catch (ImageLoadException e) {
                throw new UserFacingException(e.getMessage(), e);
            }
        }, opened -> {
            if (opened.octFrames() > 0) {
                openVolume(file, opened.octFrames());
                return;
            }
            FundusImage img = opened.image();
            volume = null;
            frameBar.setVisible(false);
            try {
                refreshRecentMenu(recent.add(file));
            } catch (IOException e) {
                // the recent-files list is a convenience: a read-only data folder must not stop the reading
            }
            if (occlusionTask != null && occlusionTask.isRunning()) {
                occlusionTask.cancel();
            }
            occlusionMaps.clear();
            reading.set(null);
            renderedMaps.clear();
            shownImage = img;
            details.setVisible(false);
            details.setManaged(false);
            imageStatus.getStyleClass().remove("error");
            viewer.setImage(redFreeItem != null && redFreeItem.isSelected() ? redFree(img) : toFx(img));
            placeholder.setVisible(false);
            imageStatus.setText(img.description() + "  " + img.width() + "\u00D7" + img.height());
            eyeBadge.setText(Rows.eye(img.eye()));
            stage.setTitle("FundusLens \u2014 " + img.description() + (analyzer != null && analyzer.bundle().demo() ? " \u2014 DEMO" : ""));
            clearResults("Analysing\u2026");
            analyze(img);
        });
    }

    private void analyze(FundusImage img) {
        runInBackground("Analysing\u2026", () -> {
            Analyzer a = awaitAnalyzer();
            try {
                Reading r = a.analyze(img, TOP);
                // render every distinct heatmap here, off the FX thread
                Map<Heatmap, BufferedImage> maps = new IdentityHashMap<>();
                for (Heatmap h : r.heatmaps()) {
                    maps.computeIfAbsent(h, k -> k.renderOverlay(img.width(), img.height()));
                }
                if (r.attention() != null) {
                    maps.computeIfAbsent(r.attention(), k -> k.renderOverlay(img.width(), img.height()));
                }
                return Map.entry(r, maps);
            } catch (InferenceException e) {
                throw new UserFacingException(e.getMessage(), e);
            }
        }, result -> {
            Reading r = result.getKey();
            result.getValue().forEach((h, bi) -> renderedMaps.put(h, SwingFXUtils.toFXImage(bi, null)));
            showReading(r);
        });
    }

    /** A measured line's label: millimetres where the image states its pixel spacing, else pixels. */
    private String measureLabel(double dx, double dy) {
        double px = Math.hypot(dx, dy);
        Double mm = shownImage == null ? null : shownImage.distanceMm(dx, dy);
        return mm == null ? String.format(Locale.ROOT, "%.0f px (no pixel spacing in this file)", px)
                : String.format(Locale.ROOT, "%.2f mm (%.0f px)", mm, px);
    }

    /** An OCT volume: its B-scans one at a time (slider, [ and ]); no bundle reads them, and the panel says so. */
    private void openVolume(Path file, int frames) {
        volume = file;
        volumeFrames = frames;
        frameSlider.setMax(Math.max(1, frames));
        frameSlider.setValue(1);
        frameBar.setVisible(frames > 1);
        showVolumeFrame(0, true);
    }

    private void showVolumeFrame(int frame, boolean first) {
        Path file = volume;
        runInBackground("Opening B-scan " + (frame + 1) + "\u2026", () -> {
            try {
                return ImageLoader.loadOctFrame(file, frame);
            } catch (ImageLoadException e) {
                throw new UserFacingException(e.getMessage(), e);
            }
        }, img -> {
            if (!file.equals(volume)) {
                return;
            }
            if (first) {
                try {
                    refreshRecentMenu(recent.add(file));
                } catch (IOException e) {
                    // the recent-files list is a convenience
                }
                viewer.setImage(toFx(img));
            } else {
                viewer.replaceImage(toFx(img));
            }
            reading.set(null);
            renderedMaps.clear();
            shownImage = img;
            viewer.setHeatmap(null);
            placeholder.setVisible(false);
            imageStatus.setText(img.description() + "  " + img.width() + "\u00D7" + img.height());
            eyeBadge.setText(Rows.eye(img.eye()));
            frameLabel.setText("B-scan " + (frame + 1) + " of " + volumeFrames + "   ([ and ] step)");
            stage.setTitle("FundusLens \u2014 " + img.description());
            clearResults("OCT volume, " + volumeFrames + " B-scans: shown frame by frame and not analysed (the installed bundles "
                    + "read colour fundus photographs).");
        });
    }

    private Analyzer awaitAnalyzer() {
        // the worker is single-threaded, so a model load queued earlier has finished by now
        if (analyzer == null) {
            throw new UserFacingException("No model bundle is loaded; open one with File \u25B8 Open Model Bundle.", null);
        }
        return analyzer;
    }

    private void clearResults(String message) {
        Label shown = new Label(message);
        shown.setWrapText(true);
        diagnosisList.getChildren().setAll(shown);
        similarList.getChildren().clear();
        heatmapCaption.setText("");
        agree.setText(Text.t("main.agree.with.the.ai"));
        decisionChoice.selectToggle(null);
        confidenceGroup.selectToggle(null);
        referralGroup.selectToggle(null);
        ownDiagnosis.setValue(null);
        secondDiagnosis.setValue(null);
        thirdDiagnosis.setValue(null);
        note.clear();
        saveStatus.setText("");
        save.setDisable(true);
        timingStatus.setText("");
    }

    private void showReading(Reading r) {
        reading.set(r);
        shownAtNanos = System.nanoTime();
        if (worklist != null && r.image().source() != null) {
            worklist.moveTo(r.image().source());
            worklist.mark(r.image().source(), org.funduslens.study.Worklist.Status.PREDICTED);
            worklistPanel.refresh(worklistName);
        }
        diagnosisList.getChildren().clear();
        for (int i = 0; i < r.top().size(); i++) {
            diagnosisList.getChildren().add(diagnosisRow(i, r.top().get(i), r.bundle().demo()));
        }
        boolean classSpecific = !r.heatmaps().isEmpty() && !r.heatmapFor(0).classAgnostic();
        if (!classSpecific) {
            heatmapKind.getItems().setAll(MAP_ATTENTION, MAP_OCCLUSION);
        } else {
            heatmapKind.getItems().setAll(MAP_CLASS, MAP_ATTENTION, MAP_OCCLUSION);
        }
        if (heatmapKind.getValue() == null || !heatmapKind.getItems().contains(heatmapKind.getValue())) {
            heatmapKind.setValue(heatmapKind.getItems().get(0));
        }
        if (MAP_OCCLUSION.equals(heatmapKind.getValue())) {
            startOcclusion();
        }
        selectDiagnosis(0);
        findSimilar(r);
        agree.setText("Agree with the AI: " + r.top().get(0).name());
        decisionChoice.selectToggle(null);
        timingStatus.setText(String.format(Locale.ROOT, "%s  %.0f ms (inference %.0f ms)",
                r.provider().label(), r.timingsMs().get("total"), r.timingsMs().get("inference")));
        formChanged();
    }

    private Node diagnosisRow(int rank, Diagnosis d, boolean demo) {
        return Rows.diagnosis(rank, d, demo, "diagnosis" + rank, () -> selectDiagnosis(rank));
    }

    private void selectDiagnosis(int i) {
        Reading r = reading.get();
        if (r == null || (r.heatmaps().isEmpty() && r.attention() == null)) {
            viewer.setHeatmap(null);
            heatmapCaption.setText(r == null ? "" : "This model gives no heatmap.");
            return;
        }
        selectedDiagnosis = i;
        for (int k = 0; k < diagnosisList.getChildren().size(); k++) {
            diagnosisList.getChildren().get(k).pseudoClassStateChanged(
                    javafx.css.PseudoClass.getPseudoClass("selected"), k == i);
        }
        boolean classSpecific = !r.heatmaps().isEmpty() && !r.heatmapFor(0).classAgnostic();
        String kind = heatmapKind.getValue();
        if (MAP_CLASS.equals(kind) && !classSpecific) {
            kind = MAP_ATTENTION;
        }
        String name = r.top().get(i).name();
        Heatmap h;
        String caption;
        if (MAP_OCCLUSION.equals(kind)) {
            List<Heatmap> occ = occlusionMaps.get(r);
            if (occ == null) {
                viewer.setHeatmap(null);
                heatmapCaption.setText("Occlusion for " + name + ": computing (one run per image patch)\u2026");
                return;
            }
            h = occ.get(i);
            caption = "Occlusion for " + name + ": how much its probability drops when each patch is greyed out "
                    + "(model-agnostic).";
        } else if (MAP_CLASS.equals(kind)) {
            h = r.heatmapFor(i);
            caption = "Patch logits for " + name + ": how much each part of the image adds to this diagnosis's score.";
        } else {
            h = r.attention();
            caption = "Attention of the model's last layer (where it looked), class-agnostic \u2014 the same map for "
                    + "every diagnosis.";
        }
        viewer.setHeatmap(renderedMaps.get(h));
        viewer.setAnalysedRegion(h.region().x(), h.region().y(), h.region().width(), h.region().height());
        heatmapCaption.setText(caption + (h.classAgnostic() ? "" : " Click another diagnosis to see its map."));
    }

    /** Computes the occlusion maps of the current reading in the background, with progress and cancel. */
    private void startOcclusion() {
        Reading r = reading.get();
        Analyzer a = analyzer;
        if (r == null || a == null || occlusionMaps.containsKey(r) || (occlusionTask != null && occlusionTask.isRunning())) {
            return;
        }
        FundusImage img = r.image();
        // the maps and their renderings are made here; the succeeded handler (on the FX thread) shows them
        Task<Map<Heatmap, BufferedImage>> task = new Task<>() {
            @Override
            protected Map<Heatmap, BufferedImage> call() throws Exception {
                Map<Heatmap, BufferedImage> images = new java.util.LinkedHashMap<>();
                for (Heatmap h : a.occlusion(r, f -> updateProgress(f, 1), this::isCancelled)) {
                    images.put(h, h.renderOverlay(img.width(), img.height()));
                }
                return images;
            }
        };
        occlusionTask = task;
        occlusionProgress.progressProperty().bind(task.progressProperty());
        occlusionRow.setVisible(true);
        task.setOnSucceeded(e -> {
            occlusionRow.setVisible(false);
            task.getValue().forEach((h, bi) -> renderedMaps.put(h, SwingFXUtils.toFXImage(bi, null)));
            occlusionMaps.put(r, List.copyOf(task.getValue().keySet()));
            if (reading.get() == r) {
                selectDiagnosis(selectedDiagnosis);
            }
        });
        task.setOnCancelled(e -> {
            occlusionRow.setVisible(false);
            if (reading.get() == r && MAP_OCCLUSION.equals(heatmapKind.getValue())) {
                heatmapKind.setValue(MAP_CLASS);
            }
        });
        task.setOnFailed(e -> {
            occlusionRow.setVisible(false);
            showError(task.getException().getMessage());
        });
        Thread t = new Thread(task, "funduslens-occlusion");
        t.setDaemon(true);
        t.start();
    }

    /** True once the occlusion maps of the current reading are shown or ready. */
    public boolean occlusionReady() {
        Reading r = reading.get();
        return r != null && occlusionMaps.containsKey(r);
    }

    private void formChanged() {
        boolean chosen = decisionChoice.getSelectedToggle() == agree
                || (decisionChoice.getSelectedToggle() == own && ownDiagnosis.getValue() != null);
        String problem = differentialProblem();
        save.setDisable(reading.get() == null || !chosen || confidenceGroup.getSelectedToggle() == null || problem != null);
        if (problem != null && chosen) {
            saveStatus.setText(problem);
        } else if (!save.isDisable()) {
            saveStatus.setText("");
        }
    }

    /** The first diagnosis (the AI's when agreeing), or null. */
    private String firstChoice() {
        Reading r = reading.get();
        if (decisionChoice.getSelectedToggle() == agree && r != null) {
            return r.prediction().first().code();
        }
        return decisionChoice.getSelectedToggle() == own && ownDiagnosis.getValue() != null ? ownDiagnosis.getValue().code() : null;
    }

    private List<String> differential() {
        List<String> out = new ArrayList<>();
        if (secondDiagnosis.getValue() != null) {
            out.add(secondDiagnosis.getValue().code());
            if (thirdDiagnosis.getValue() != null) {
                out.add(thirdDiagnosis.getValue().code());
            }
        }
        return out;
    }

    private String differentialProblem() {
        List<String> d = differential();
        String first = firstChoice();
        if ((first != null && d.contains(first)) || d.stream().distinct().count() != d.size()) {
            return "The differential repeats a diagnosis; choose different ones.";
        }
        return null;
    }

    private static org.controlsfx.control.SearchableComboBox<BundleManifest.Label> labelChooser(String id) {
        org.controlsfx.control.SearchableComboBox<BundleManifest.Label> box = new org.controlsfx.control.SearchableComboBox<>();
        box.setId(id);
        box.setMaxWidth(Double.MAX_VALUE);
        box.setConverter(new javafx.util.StringConverter<>() {
            @Override
            public String toString(BundleManifest.Label l) {
                return l == null ? "" : l.name() + "  (" + l.code() + ")";
            }

            @Override
            public BundleManifest.Label fromString(String text) {
                return box.getItems().stream().filter(l -> toString(l).equals(text)).findFirst().orElse(null);
            }
        });
        return box;
    }

    private void saveDecision() {
        Reading r = reading.get();
        DecisionLog l = log;
        if (r == null || l == null) {
            return;
        }
        String code = firstChoice();
        List<String> ranked = differential();
        int confidence = (Integer) confidenceGroup.getSelectedToggle().getUserData();
        Decision.Referral referral = referralGroup.getSelectedToggle() == null ? null
                : (Decision.Referral) referralGroup.getSelectedToggle().getUserData();
        long onCase = Math.max(0, (System.nanoTime() - shownAtNanos) / 1_000_000);
        String text = note.getText();
        save.setDisable(true);
        // the decision hashes the image file: off the FX thread, with the append
        runInBackground("Saving\u2026", () -> {
            Decision made = Decision.about(r, true, code, confidence, text, referral, onCase, ranked);
            try {
                return Map.entry(l.append(made), made);
            } catch (DecisionLogException e) {
                throw new UserFacingException(e.getMessage(), e);
            }
        }, saved -> {
            long id = saved.getKey();
            Decision d = saved.getValue();
            saveStatus.setText("Decision #" + id + " saved: " + d.decisionName()
                    + (d.differential().isEmpty() ? "" : " (then " + String.join(", ", d.differential()) + ")") + ", confidence " + confidence
                    + (d.demo() ? " (logged as DEMO)." : ".") + (worklist != null ? " PageDown: next image." : ""));
            if (worklist != null && r.image().source() != null) {
                worklist.mark(r.image().source(), org.funduslens.study.Worklist.Status.DECIDED);
                worklistPanel.refresh(worklistName);
            }
            saveStatus.setTooltip(new javafx.scene.control.Tooltip("Decision log: " + l.file()));
        });
    }

    /** One radio item per installed bundle (one click switches), then the model card and the folders. */
    private void refreshModelsMenu() {
        modelsMenu.getItems().clear();
        for (BundleCatalog.Entry e : BundleCatalog.installed()) {
            javafx.scene.control.RadioMenuItem item = new javafx.scene.control.RadioMenuItem(e.label());
            item.setMnemonicParsing(false);
            item.setToggleGroup(modelChoice);
            item.setUserData(e.dir());
            item.setDisable(e.manifest() == null);
            item.setSelected(e.dir().equals(currentBundleDir));
            item.setOnAction(ev -> {
                if (!e.dir().equals(currentBundleDir)) {
                    loadModel(e.dir());
                }
            });
            modelsMenu.getItems().add(item);
        }
        if (modelsMenu.getItems().isEmpty()) {
            MenuItem none = new MenuItem(Text.t("main.no.bundles.installed"));
            none.setDisable(true);
            modelsMenu.getItems().add(none);
        }
        MenuItem indexRefs = new MenuItem(Text.t("main.index.reference.images"));
        indexRefs.setId("indexMenu");
        indexRefs.setOnAction(e -> chooseReferenceFolder());
        MenuItem subset = new MenuItem(Text.t("main.labels.to.score"));
        subset.setId("labelSubsetMenu");
        subset.setDisable(analyzer == null || !"zero-shot".equals(analyzer.bundle().manifest().task()));
        subset.setOnAction(e -> chooseLabelSubset());
        MenuItem compare = new MenuItem(Text.t("main.compare.with.another.backbone"));
        compare.setId("compareMenu");
        compare.setAccelerator(KeyCombination.keyCombination("Shortcut+B"));
        compare.setOnAction(e -> chooseComparison());
        MenuItem card = new MenuItem(Text.t("main.model.card"));
        card.setId("modelCardMenu");
        card.setOnAction(e -> showModelCard());
        MenuItem open = new MenuItem(Text.t("main.open.bundle.folder"));
        open.setOnAction(e -> chooseBundle());
        MenuItem reload = new MenuItem(Text.t("main.refresh.list"));
        reload.setOnAction(e -> refreshModelsMenu());
        Label where = new Label("Your bundles: " + BundleCatalog.userBundlesDir());
        where.getStyleClass().add("muted");
        javafx.scene.control.CustomMenuItem whereItem = new javafx.scene.control.CustomMenuItem(where, false);
        whereItem.setDisable(true);
        modelsMenu.getItems().addAll(new javafx.scene.control.SeparatorMenuItem(), compare, card, subset, indexRefs, open, reload,
                whereItem);
    }

    private void chooseReferenceFolder() {
        DirectoryChooser dc = new DirectoryChooser();
        dc.setTitle(Text.t("main.reference.images.a.folder.with"));
        File d = dc.showDialog(stage);
        if (d != null) {
            indexReferences(d.toPath());
        }
    }

    /** Indexes labelled reference images with the current bundle in the background, then refreshes the similar cases. */
    public void indexReferences(Path source) {
        runInBackground("Indexing reference images\u2026", () -> {
            Analyzer a = awaitAnalyzer();
            if (similarIndex == null) {
                throw new UserFacingException("The similar-case index is not open.", null);
            }
            try {
                return similarIndex.index(a, source, f -> { }, () -> false);
            } catch (IOException | org.funduslens.study.SimilarCaseException e) {
                throw new UserFacingException(e.getMessage(), e);
            }
        }, report -> {
            saveStatus.setText("Indexed " + report.added() + " new reference images (" + report.unchanged() + " unchanged"
                    + (report.problems().isEmpty() ? "" : ", " + report.problems().size() + " skipped: "
                    + report.problems().get(0)) + ").");
            Reading r = reading.get();
            if (r != null) {
                findSimilar(r);
            }
        });
    }

    private void findSimilar(Reading r) {
        if (similarIndex == null || r.embedding() == null) {
            similarList.getChildren().setAll(muted(r.embedding() == null
                    ? "This model gives no image embedding." : "The similar-case index is not open."));
            return;
        }
        var index = similarIndex;
        runInBackground("Finding similar cases\u2026", () -> {
            try {
                return index.nearest(r.bundle().sha256(), r.embedding(), 5);
            } catch (org.funduslens.study.SimilarCaseException e) {
                throw new UserFacingException(e.getMessage(), e);
            }
        }, matches -> {
            if (reading.get() != r) {
                return;
            }
            similarList.getChildren().clear();
            if (matches.isEmpty()) {
                similarList.getChildren().add(muted("No reference images indexed for this model: Models \u25B8 Index "
                        + "Reference Images\u2026"));
            }
            for (int i = 0; i < matches.size(); i++) {
                var m = matches.get(i);
                javafx.scene.image.ImageView thumb = new javafx.scene.image.ImageView(
                        new Image(m.path().toUri().toString(), 56, 56, true, true, true));
                thumb.setFitWidth(56);
                thumb.setFitHeight(56);
                thumb.setPreserveRatio(true);
                Label what = new Label(m.label() + "\n" + String.format(Locale.ROOT, "similarity %.2f", m.similarity()));
                Label file = new Label(m.path().getFileName().toString());
                file.getStyleClass().add("muted");
                HBox row = new HBox(8, thumb, new VBox(2, what, file));
                row.setId("similar" + i);
                row.setAlignment(Pos.CENTER_LEFT);
                row.setOnMouseClicked(e -> {
                    if (e.getClickCount() == 2) {
                        openImage(m.path());
                    }
                });
                similarList.getChildren().add(row);
            }
        });
    }

    private static Label muted(String text) {
        Label l = new Label(text);
        l.setWrapText(true);
        l.getStyleClass().add("muted");
        return l;
    }

    /** Zero-shot bundles: pick the labels to score (for example the diseases a clinic sees); the image is read again. */
    private void chooseLabelSubset() {
        Analyzer a = analyzer;
        if (a == null) {
            return;
        }
        org.controlsfx.control.CheckListView<BundleManifest.Label> list =
                new org.controlsfx.control.CheckListView<>(javafx.collections.FXCollections.observableArrayList(a.bundle().labels()));
        list.setCellFactory(l -> new javafx.scene.control.cell.CheckBoxListCell<BundleManifest.Label>(
                list::getItemBooleanProperty, new javafx.util.StringConverter<BundleManifest.Label>() {
                    @Override
                    public String toString(BundleManifest.Label label) {
                        return label == null ? "" : label.name() + "  (" + label.code() + ")";
                    }

                    @Override
                    public BundleManifest.Label fromString(String s) {
                        return null;
                    }
                }));
        for (BundleManifest.Label l : a.activeLabels()) {
            list.getCheckModel().check(l);
        }
        javafx.scene.control.Dialog<List<String>> d = new javafx.scene.control.Dialog<>();
        d.initOwner(stage);
        d.setTitle(Text.t("main.labels.to.score.2"));
        d.setHeaderText(Text.t("main.zero.shot.scores.are.computed"));
        d.getDialogPane().setContent(list);
        d.getDialogPane().getButtonTypes().addAll(javafx.scene.control.ButtonType.OK, javafx.scene.control.ButtonType.CANCEL);
        d.setResultConverter(b -> b == javafx.scene.control.ButtonType.OK
                ? list.getCheckModel().getCheckedItems().stream().map(BundleManifest.Label::code).toList() : null);
        d.showAndWait().ifPresent(codes -> {
            try {
                a.restrictLabels(codes.size() == a.bundle().labels().size() ? null : codes);
            } catch (IllegalArgumentException ex) {
                showError(ex.getMessage());
                return;
            }
            Reading r = reading.get();
            if (r != null) {
                analyze(r.image());
            }
        });
    }

    /** Opens the model card of the bundle in use; returns its window (for tests and screenshots), or null. */
    private void chooseComparison() {
        if (reading.get() == null) {
            showError("Open an image and let the loaded bundle read it before comparing backbones.");
            return;
        }
        List<BundleCatalog.Entry> others = BundleCatalog.installed().stream()
                .filter(e -> e.manifest() != null && !e.dir().equals(currentBundleDir)).toList();
        if (others.isEmpty()) {
            showError("Only one bundle is installed; add another to " + BundleCatalog.userBundlesDir() + " to compare backbones.");
            return;
        }
        javafx.scene.control.ChoiceDialog<BundleCatalog.Entry> d = new javafx.scene.control.ChoiceDialog<>(others.get(0), others);
        d.initOwner(stage);
        d.setTitle(Text.t("main.compare.backbones"));
        d.setHeaderText("Run a second bundle on " + reading.get().image().description() + " and show both side by side.");
        d.showAndWait().ifPresent(e -> compareWith(e.dir()));
    }

    /** Runs a second bundle on the current image and shows both readings side by side; null without a reading. */
    public CompareWindow compareWith(Path bundleDir) {
        Reading r = reading.get();
        if (r == null) {
            return null;
        }
        CompareWindow w = new CompareWindow(stage, r.image(), r, bundleDir);
        w.show();
        lastComparison = w;
        return w;
    }

    /** The comparison window opened last, or null. */
    public CompareWindow lastComparison() {
        return lastComparison;
    }

    /** The shown image and another side by side (two visits of one eye, or right against left). */
    public SideBySideWindow sideBySide(Path other) {
        if (shownImage == null) {
            return null;
        }
        SideBySideWindow w = new SideBySideWindow(stage, shownImage, other);
        w.show();
        return w;
    }

    /** The settings window; saving re-dresses this window at once. */
    public SettingsDialog showSettings() {
        SettingsDialog d = new SettingsDialog(stage, s -> {
            if (root.getScene() != null) {
                Theme.apply(root.getScene(), s);
            }
            refreshModelsMenu();
        });
        d.show();
        return d;
    }

    /** Past decisions, searchable and exportable; null where the log could not be opened. */
    public HistoryWindow showHistory() {
        if (log == null) {
            showError("The decision log is not open, so there is no history to show.");
            return null;
        }
        HistoryWindow h = new HistoryWindow(stage, log, this::openImage);
        h.show();
        return h;
    }

    /** The DICOMweb search window; a retrieved study opens in the study browser. */
    public PacsDialog openPacsDialog() {
        PacsDialog d = new PacsDialog(stage, (folder, title) -> openStudies(folder, title));
        d.show();
        return d;
    }

    /** Opens a reader study (its protocol and read log) in the reader-study window; null after a plain error. */
    public ReaderStudyWindow openReaderStudy(Path protocol) {
        try {
            org.funduslens.study.StudyWorkspace ws = org.funduslens.study.StudyWorkspace.open(protocol, null);
            ReaderStudyWindow w = new ReaderStudyWindow(stage, ws, java.time.Clock.systemUTC());
            w.show();
            return w;
        } catch (IOException | org.funduslens.study.DecisionLogException e) {
            showError(e.getMessage());
            return null;
        }
    }

    public Stage showModelCard() {
        if (analyzer == null) {
            showError("No model bundle is loaded yet.");
            return null;
        }
        ModelCardDialog d = new ModelCardDialog(stage, analyzer.bundle(), analyzer.session());
        d.show();
        return d.stage();
    }

    private void refreshRecentMenu(List<Path> files) {
        recentMenu.getItems().clear();
        for (Path p : files) {
            MenuItem item = new MenuItem(p.getFileName() + "   \u2014 " + (p.getParent() == null ? "" : p.getParent()));
            item.setMnemonicParsing(false);
            item.setOnAction(e -> openImage(p));
            recentMenu.getItems().add(item);
        }
        recentMenu.setDisable(files.isEmpty());
    }

    private void about() {
        Alert a = new Alert(Alert.AlertType.INFORMATION);
        a.initOwner(stage);
        a.setTitle(Text.t("main.about.funduslens.2"));
        a.setHeaderText(Text.t("main.funduslens"));
        a.setContentText("Decision support for colour fundus photographs. Runs locally and offline; nothing leaves this "
                + "computer. The AI's output supports a qualified clinician's judgement and is not a diagnosis."
                + (analyzer == null ? "" : "\n\nModel: " + analyzer.bundle().displayName() + "\nBundle SHA-256: "
                + analyzer.bundle().sha256() + "\nRunning on: " + analyzer.provider().label()));
        a.showAndWait();
    }

    // ------------------------------------------------------------------------------------------ plumbing

    /** An error that is already one sentence for the user. */
    static final class UserFacingException extends RuntimeException {
        UserFacingException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private <T> void runInBackground(String what, Supplier<T> work, java.util.function.Consumer<T> onDone) {
        Task<T> task = new Task<>() {
            @Override
            protected T call() {
                return work.get();
            }
        };
        running++;
        progress.setVisible(true);
        activity.setText(what);
        task.setOnSucceeded(e -> {
            try {
                onDone.accept(task.getValue());
            } finally {
                finished();
            }
        });
        task.setOnFailed(e -> {
            Throwable t = task.getException();
            String message = t instanceof UserFacingException ? t.getMessage()
                    : "Something went wrong: " + t;
            org.slf4j.LoggerFactory.getLogger(MainWindow.class).warn(message, t);
            showError(message);
            lastFailure = t;
            lastFailureMessage = message;
            details.setVisible(true);
            details.setManaged(true);
            finished();
        });
        worker.submit(task);
    }

    private void finished() {
        running--;
        if (running == 0) {
            progress.setVisible(false);
            activity.setText("");
            List<Runnable> actions = new ArrayList<>(idleActions);
            idleActions.clear();
            actions.forEach(Runnable::run);
        }
    }

    private void showError(String message) {
        saveStatus.setText(message);
        if (reading.get() == null && viewer.image() == null) {
            placeholder.setText(message);
            placeholder.setVisible(true);
        }
        if (diagnosisList.getChildren().size() == 1 && diagnosisList.getChildren().get(0) instanceof Label l
                && l.getText().endsWith("\u2026")) {
            l.setText(message);
        }
        imageStatus.setText(message);
        imageStatus.getStyleClass().add("error");
    }

    /** The last error in full: the plain sentence, then what lay behind it, for a colleague in IT or a bug report. */
    public javafx.scene.control.Alert showErrorDetails() {
        if (lastFailure == null) {
            return null;
        }
        javafx.scene.control.Alert a = new javafx.scene.control.Alert(javafx.scene.control.Alert.AlertType.ERROR);
        a.initOwner(stage);
        a.setTitle(Text.t("main.funduslens.what.went.wrong"));
        a.setHeaderText(lastFailureMessage);
        a.setContentText("The details below are for IT or a bug report; nothing was saved from the step that failed.");
        java.io.StringWriter trace = new java.io.StringWriter();
        lastFailure.printStackTrace(new java.io.PrintWriter(trace));
        javafx.scene.control.TextArea text = new javafx.scene.control.TextArea("FundusLens " + org.funduslens.util.AppVersion.text()
                + ", Java " + System.getProperty("java.version") + ", " + System.getProperty("os.name") + "\n\n" + trace);
        text.setEditable(false);
        text.setId("errorDetailsText");
        text.setPrefRowCount(16);
        a.getDialogPane().setExpandableContent(text);
        a.getDialogPane().setExpanded(true);
        a.show();
        return a;
    }

    /** Runs {@code action} on the FX thread once no background work is pending. */
    public void whenIdle(Runnable action) {
        if (running == 0) {
            action.run();
        } else {
            idleActions.add(action);
        }
    }

    public boolean busy() {
        return running > 0;
    }

    public Reading currentReading() {
        return reading.get();
    }

    /** The OCT volume being viewed, or null. */
    public Path volume() {
        return volume;
    }

    public javafx.scene.control.Slider frameSlider() {
        return frameSlider;
    }

    public ImageViewer viewer() {
        return viewer;
    }

    public DecisionLog decisionLog() {
        return log;
    }

    /** Writes the window's current look to a PNG (the scene as drawn, at its own size). */
    public void saveScreenshot(Path file) {
        try {
            Snapshots.save(root.getScene(), file);
        } catch (IOException e) {
            showError(file + ": the screenshot could not be written (" + e.getMessage() + ").");
        }
    }

    private void showRedFree(boolean on) {
        if (shownImage != null) {
            viewer.replaceImage(on ? redFree(shownImage) : toFx(shownImage));
        }
    }

    /** The green channel as grey: the red-free view in which vessels and haemorrhages stand out. */
    static Image redFree(FundusImage img) {
        byte[] rgb = img.rgb();
        byte[] g = new byte[rgb.length];
        for (int i = 0; i < rgb.length; i += 3) {
            g[i] = rgb[i + 1];
            g[i + 1] = rgb[i + 1];
            g[i + 2] = rgb[i + 1];
        }
        WritableImage w = new WritableImage(img.width(), img.height());
        w.getPixelWriter().setPixels(0, 0, img.width(), img.height(), PixelFormat.getByteRgbInstance(), g, 0, img.width() * 3);
        return w;
    }

    static Image toFx(FundusImage img) {
        WritableImage w = new WritableImage(img.width(), img.height());
        w.getPixelWriter().setPixels(0, 0, img.width(), img.height(), PixelFormat.getByteRgbInstance(), img.rgb(), 0,
                img.width() * 3);
        return w;
    }

    public void close() {
        worker.shutdownNow();
        if (analyzer != null) {
            analyzer.close();
        }
        if (log != null) {
            log.close();
        }
        if (similarIndex != null) {
            similarIndex.close();
        }
        if (browser != null) {
            browser.close();
        }
    }
}
