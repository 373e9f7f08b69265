package org.funduslens.app;

import java.io.File;
import java.io.IOException;
import javafx.collections.FXCollections;
import javafx.geometry.Insets;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.stage.DirectoryChooser;
import javafx.stage.Stage;
import org.funduslens.model.BundleCatalog;
import org.funduslens.util.DataFolder;
import org.funduslens.util.Settings;

/** Preferences: theme, text size, where inference runs, a further bundles folder; and where the data folder is. */
public final class SettingsDialog {
    private static final String[] SIZES = {"Normal", "Large", "Larger"};
    private static final double[] SCALES = {1.0, 1.15, 1.3};
    private final Stage stage = new Stage();
    private final ChoiceBox<String> theme = new ChoiceBox<>(FXCollections.observableArrayList("Dark", "Light"));
    private final ChoiceBox<String> size = new ChoiceBox<>(FXCollections.observableArrayList(SIZES));
    private final ChoiceBox<String> provider = new ChoiceBox<>(FXCollections.observableArrayList(
            "Use the GPU where there is one", "CPU only"));
    private final TextField bundles = new TextField();
    private final Label status = new Label();

    SettingsDialog(Stage owner, java.util.function.Consumer<Settings> applied) {
        stage.initOwner(owner);
        stage.setTitle(Text.t("settings.funduslens.settings"));
        Settings s = Settings.load();
        theme.setValue("light".equals(s.theme()) ? "Light" : "Dark");
        theme.setId("settingsTheme");
        int k = 0;
        for (int i = 0; i < SCALES.length; i++) {
            if (Math.abs(SCALES[i] - s.fontScale()) < 0.01) {
                k = i;
            }
        }
        size.setValue(SIZES[k]);
        size.setId("settingsSize");
        provider.setValue(s.preferGpu() ? provider.getItems().get(0) : provider.getItems().get(1));
        provider.setId("settingsProvider");
        bundles.setText(s.bundlesFolder() == null ? "" : s.bundlesFolder());
        bundles.setPromptText(Text.t("settings.optional.a.folder.of.bundles"));
        bundles.setPrefColumnCount(30);
        Button browse = new Button(Text.t("settings.choose"));
        browse.setOnAction(e -> {
            DirectoryChooser dc = new DirectoryChooser();
            File d = dc.showDialog(stage);
            if (d != null) {
                bundles.setText(d.getAbsolutePath());
            }
        });
        Label data = new Label(DataFolder.path() + "\n(decisions, recent files, bundles you add, keys; set FUNDUSLENS_DATA_DIR to move it)");
        data.getStyleClass().add("muted");
        Label own = new Label(BundleCatalog.userBundlesDir().toString());
        own.getStyleClass().add("muted");
        GridPane g = new GridPane();
        g.setHgap(10);
        g.setVgap(10);
        g.addRow(0, new Label(Text.t("settings.theme")), theme);
        g.addRow(1, new Label(Text.t("settings.text.size")), size);
        g.addRow(2, new Label(Text.t("settings.inference")), provider);
        g.addRow(3, new Label(Text.t("settings.your.bundles")), own);
        g.addRow(4, new Label(Text.t("settings.further.bundles")), new HBox(6, bundles, browse));
        g.addRow(5, new Label(Text.t("settings.data.folder")), data);
        Button save = new Button(Text.t("settings.save"));
        save.setId("settingsSave");
        save.setDefaultButton(true);
        save.setOnAction(e -> {
            String folder = bundles.getText().strip();
            if (!folder.isEmpty() && !new File(folder).isDirectory()) {
                status.setText(folder + ": is not a folder.");
                return;
            }
            Settings next = Settings.load().withPreferences(theme.getValue().toLowerCase(java.util.Locale.ROOT),
                    SCALES[java.util.Arrays.asList(SIZES).indexOf(size.getValue())],
                    provider.getValue().equals(provider.getItems().get(0)), folder.isEmpty() ? null : folder);
            try {
                next.save();
            } catch (IOException ex) {
                status.setText(Settings.file() + ": the settings could not be saved (" + ex.getMessage() + ").");
                return;
            }
            applied.accept(next);
            Theme.apply(stage.getScene(), next);
            status.setText(Text.t("settings.saved.a.change.of.inference"));
        });
        Button close = new Button(Text.t("settings.close"));
        close.setCancelButton(true);
        close.setOnAction(e -> stage.close());
        status.setId("settingsStatus");
        status.setWrapText(true);
        VBox box = new VBox(14, g, new HBox(8, save, close), status);
        box.setPadding(new Insets(16));
        box.getStyleClass().add("side-panel");
        Scene scene = new Scene(box, 720, 380);
        Theme.apply(scene, s);
        stage.setScene(scene);
    }

    public Stage show() {
        stage.show();
        return stage;
    }

    void choose(String themeName, String sizeName, boolean gpu) {
        theme.setValue(themeName);
        size.setValue(sizeName);
        provider.setValue(provider.getItems().get(gpu ? 0 : 1));
    }
}
