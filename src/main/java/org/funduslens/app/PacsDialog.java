package org.funduslens.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import javafx.application.Platform;
import javafx.collections.FXCollections;
import javafx.concurrent.Task;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.DatePicker;
import javafx.scene.control.Label;
import javafx.scene.control.PasswordField;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;
import org.funduslens.dicom.DicomWebClient;
import org.funduslens.dicom.DicomWebException;
import org.funduslens.dicom.DicomWebSettings;
import org.funduslens.util.DataFolder;

/**
 * Search a PACS over DICOMweb (QIDO-RS: patient ID, name, date range, modality) and retrieve a study (WADO-RS) into
 * the local cache, which then opens in the study browser. The server settings are the user's own (owner-only file);
 * a bearer token or password typed here is used for this session and saved only when asked.
 */
public final class PacsDialog {
    private final Stage stage = new Stage();
    private final TextField url = new TextField();
    private final ChoiceBox<DicomWebSettings.Auth> auth = new ChoiceBox<>(FXCollections.observableArrayList(DicomWebSettings.Auth.values()));
    private final TextField user = new TextField();
    private final PasswordField secret = new PasswordField();
    private final TextField patientId = new TextField();
    private final TextField patientName = new TextField();
    private final DatePicker from = new DatePicker();
    private final DatePicker to = new DatePicker();
    private final ChoiceBox<String> modality = new ChoiceBox<>(FXCollections.observableArrayList("OP", "XC", "OPT", "any"));
    private final TableView<DicomWebClient.StudyRef> results = new TableView<>();
    private final Label status = new Label();
    private final ProgressBar progress = new ProgressBar(0);
    private final BiConsumer<Path, String> open;
    private boolean busy;

    PacsDialog(Stage owner, BiConsumer<Path, String> open) {
        this.open = open;
        stage.initOwner(owner);
        stage.setTitle(Text.t("pacs.funduslens.search.a.pacs.dicomweb"));
        DicomWebSettings saved = null;
        try {
            if (Files.isRegularFile(DicomWebSettings.defaultFile())) {
                saved = DicomWebSettings.load(DicomWebSettings.defaultFile());
            }
        } catch (IOException e) {
            status.setText(DicomWebSettings.defaultFile() + ": the saved settings cannot be read (" + e.getMessage() + ").");
        }
        url.setText(saved == null ? "" : saved.baseUrl());
        url.setPromptText(Text.t("pacs.https.pacs.example.org.dicom"));
        url.setId("pacsUrl");
        auth.setValue(saved == null ? DicomWebSettings.Auth.NONE : saved.auth());
        user.setText(saved == null ? "" : saved.user());
        if (saved != null && saved.secret() != null) {
            secret.setText(saved.secret());
        }
        patientId.setId("pacsPatientId");
        patientName.setPromptText(Text.t("pacs.e.g.doe.j"));
        patientName.setId("pacsPatientName");
        modality.setValue("OP");
        modality.setId("pacsModality");

        GridPane form = new GridPane();
        form.setHgap(8);
        form.setVgap(6);
        form.addRow(0, new Label(Text.t("pacs.server")), url, new Label(Text.t("pacs.sign.in")), auth);
        form.addRow(1, new Label(Text.t("pacs.user")), user, new Label(Text.t("pacs.password.or.token")), secret);
        form.addRow(2, new Label(Text.t("pacs.patient.id")), patientId, new Label(Text.t("pacs.patient.name")), patientName);
        form.addRow(3, new Label(Text.t("pacs.study.date.from")), from, new Label(Text.t("pacs.to")), to);
        form.addRow(4, new Label(Text.t("pacs.modality")), modality);
        Button search = new Button(Text.t("pacs.search"));
        search.setId("pacsSearch");
        search.setDefaultButton(true);
        search.setOnAction(e -> search());
        Button save = new Button(Text.t("pacs.save.server.settings"));
        save.setOnAction(e -> {
            try {
                settings().save(DicomWebSettings.defaultFile());
                status.setText("Saved to " + DicomWebSettings.defaultFile() + " (readable by you only).");
            } catch (IOException | IllegalArgumentException ex) {
                status.setText(DicomWebSettings.defaultFile() + ": the settings could not be saved (" + ex.getMessage() + ").");
            }
        });
        Button retrieve = new Button(Text.t("pacs.retrieve.and.open.in.the"));
        retrieve.setId("pacsRetrieve");
        retrieve.disableProperty().bind(results.getSelectionModel().selectedItemProperty().isNull());
        retrieve.setOnAction(e -> retrieve(results.getSelectionModel().getSelectedItem()));

        results.setId("pacsResults");
        results.getColumns().add(Rows.<DicomWebClient.StudyRef>column("Patient", DicomWebClient.StudyRef::patientName, 180));
        results.getColumns().add(Rows.<DicomWebClient.StudyRef>column("Patient ID", DicomWebClient.StudyRef::patientId, 110));
        results.getColumns().add(Rows.<DicomWebClient.StudyRef>column("Date", r -> formatDate(r.date()), 100));
        results.getColumns().add(Rows.<DicomWebClient.StudyRef>column("Description", DicomWebClient.StudyRef::description, 220));
        results.getColumns().add(Rows.<DicomWebClient.StudyRef>column("Modalities", DicomWebClient.StudyRef::modalities, 90));
        results.setPlaceholder(new Label(Text.t("pacs.search.to.list.studies")));
        results.setPrefHeight(260);
        status.setId("pacsStatus");
        status.setWrapText(true);
        progress.setVisible(false);
        progress.setMaxWidth(Double.MAX_VALUE);
        HBox buttons = new HBox(8, search, save, retrieve);
        buttons.setAlignment(Pos.CENTER_LEFT);
        VBox box = new VBox(10, form, buttons, results, progress, status);
        box.setPadding(new Insets(14));
        box.getStyleClass().add("side-panel");
        Scene scene = new Scene(box, 900, 560);
        Theme.apply(scene);
        stage.setScene(scene);
    }

    private static String formatDate(String dicomDate) {
        if (dicomDate == null || dicomDate.length() != 8) {
            return dicomDate;
        }
        return dicomDate.substring(0, 4) + "-" + dicomDate.substring(4, 6) + "-" + dicomDate.substring(6);
    }

    private DicomWebSettings settings() {
        String base = url.getText().strip();
        if (base.isEmpty()) {
            throw new IllegalArgumentException("Give the server's DICOMweb address first.");
        }
        return new DicomWebSettings(base, auth.getValue(), user.getText().isBlank() ? null : user.getText().strip(),
                secret.getText().isEmpty() ? null : secret.getText());
    }

    /** QIDO-RS with the form's criteria. */
    public void search() {
        DicomWebSettings s;
        try {
            s = settings();
        } catch (IllegalArgumentException e) {
            status.setText(e.getMessage());
            return;
        }
        Map<String, String> q = new LinkedHashMap<>();
        q.put("PatientID", patientId.getText().strip());
        q.put("PatientName", patientName.getText().strip());
        if (from.getValue() != null || to.getValue() != null) {
            DateTimeFormatter f = DateTimeFormatter.BASIC_ISO_DATE;
            q.put("StudyDate", (from.getValue() == null ? "" : from.getValue().format(f)) + "-"
                    + (to.getValue() == null ? "" : to.getValue().format(f)));
        }
        if (!"any".equals(modality.getValue())) {
            q.put("ModalitiesInStudy", modality.getValue());
        }
        run("Searching " + s.baseUrl() + "\u2026", () -> new DicomWebClient(s).searchStudies(q), found -> {
            results.setItems(FXCollections.observableArrayList(found));
            status.setText(found.isEmpty() ? "No study matches." : found.size() + " studies found.");
            if (!found.isEmpty()) {
                results.getSelectionModel().select(0);
            }
        });
    }

    /** WADO-RS: the study's instances of the chosen modality into the cache, then the study browser. */
    public void retrieve(DicomWebClient.StudyRef study) {
        DicomWebSettings s = settings();
        String mod = "any".equals(modality.getValue()) ? null : modality.getValue();
        Path cache = DataFolder.path().resolve("pacs-cache");
        progress.setProgress(0);
        progress.setVisible(true);
        run("Retrieving the study\u2026", () -> new DicomWebClient(s).retrieveStudy(study.studyUid(), mod, cache,
                (done, total) -> Platform.runLater(() -> {
                    progress.setProgress((double) done / total);
                    status.setText("Retrieved " + done + " of " + total + " images\u2026");
                })), dir -> {
                    progress.setVisible(false);
                    status.setText("Retrieved into " + dir + ".");
                    String title = "PACS " + hostOf(s.baseUrl()) + (study.description() == null ? "" : ": " + study.description());
                    open.accept(dir, title);
                });
    }

    private static String hostOf(String base) {
        try {
            return java.net.URI.create(base).getHost();
        } catch (IllegalArgumentException e) {
            return base;
        }
    }

    @FunctionalInterface
    private interface Work<T> {
        T call() throws DicomWebException, IOException;
    }

    private <T> void run(String what, Work<T> work, java.util.function.Consumer<T> done) {
        busy = true;
        status.setText(what);
        Task<T> task = new Task<>() {
            @Override
            protected T call() throws Exception {
                return work.call();
            }
        };
        task.setOnSucceeded(e -> {
            busy = false;
            done.accept(task.getValue());
        });
        task.setOnFailed(e -> {
            busy = false;
            progress.setVisible(false);
            Throwable t = task.getException();
            status.setText(t instanceof DicomWebException || t instanceof IOException ? t.getMessage() : "The search failed: " + t);
        });
        Thread t = new Thread(task, "funduslens-dicomweb");
        t.setDaemon(true);
        t.start();
    }

    public boolean busy() {
        return busy;
    }

    public List<DicomWebClient.StudyRef> results() {
        return List.copyOf(results.getItems());
    }

    public String status() {
        return status.getText();
    }

    public void setServer(String baseUrl) {
        url.setText(baseUrl);
    }

    public void setPatientId(String id) {
        patientId.setText(id);
    }

    public void setDates(LocalDate start, LocalDate end) {
        from.setValue(start);
        to.setValue(end);
    }

    public Stage show() {
        stage.show();
        return stage;
    }

    public Stage stage() {
        return stage;
    }
}
