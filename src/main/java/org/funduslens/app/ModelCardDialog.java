package org.funduslens.app;

import java.util.Locale;
import java.util.stream.Collectors;
import javafx.concurrent.Task;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TextArea;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.Modality;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.funduslens.model.BundleManifest;
import org.funduslens.model.BundleVerifier;
import org.funduslens.model.ExecutionProvider;
import org.funduslens.model.InferenceSession;
import org.funduslens.model.ModelBundle;

/**
 * The model card: what a bundle is (family, architecture, labels, preprocessing, outputs and heatmaps), where it came
 * from (checkpoint, hashes, exporter, licence), its intended use and demo flag, and a button that verifies it on this
 * computer's execution provider.
 */
final class ModelCardDialog {
    private final Stage stage = new Stage();
    private final Label verifyResult = new Label();

    ModelCardDialog(Window owner, ModelBundle bundle, InferenceSession session) {
        BundleManifest m = bundle.manifest();
        stage.initOwner(owner);
        stage.initModality(Modality.WINDOW_MODAL);
        stage.setTitle("Model card \u2014 " + bundle.displayName());

        Label title = new Label(bundle.displayName());
        title.getStyleClass().add("card-title");
        VBox header = new VBox(4, title);
        if (bundle.demo()) {
            Label demo = new Label("\u26A0  " + bundle.demoNotice());
            demo.setId("cardDemo");
            demo.getStyleClass().add("demo-banner");
            demo.setMaxWidth(Double.MAX_VALUE);
            header.getChildren().add(demo);
        }

        GridPane g = new GridPane();
        g.setHgap(14);
        g.setVgap(6);
        ColumnConstraints keyCol = new ColumnConstraints();
        keyCol.setMinWidth(130);
        ColumnConstraints valCol = new ColumnConstraints();
        valCol.setHgrow(Priority.ALWAYS);
        g.getColumnConstraints().addAll(keyCol, valCol);
        int row = 0;
        BundleManifest.Backbone bb = m.backbone();
        row = add(g, row, "Identifier", m.id());
        row = add(g, row, "Family", bb.family());
        row = add(g, row, "Architecture", bb.architecture() + "  (patch " + bb.patch() + ", width " + bb.width()
                + ", " + bb.depth() + " blocks, " + bb.heads() + " heads" + (bb.registers() > 0 ? ", " + bb.registers()
                + " registers" : "") + ")");
        row = add(g, row, "Head", bb.pooling());
        row = add(g, row, "Task", "zero-shot".equals(m.task())
                ? "zero-shot over the label list (" + (m.zeroShot() == null ? "" : "template \u201C" + m.zeroShot().template()
                + "\u201D, logit scale " + String.format(Locale.ROOT, "%.2f", m.zeroShot().logitScale())) + ")"
                : "classification");
        row = add(g, row, "Labels (" + m.labels().size() + ")",
                m.labels().stream().map(l -> l.name() + " (" + l.code() + ")").collect(Collectors.joining(", ")));
        BundleManifest.InputRecipe in = m.input();
        row = add(g, row, "Preprocessing", ("square".equals(in.resize().mode())
                ? "resize to " + in.resize().size() + "\u00D7" + in.resize().size()
                : "shorter side to " + in.resize().size()) + ", " + in.resize().interpolation() + " (Pillow, antialiased)"
                + ("center".equals(in.crop().mode()) ? ", centre crop " + in.crop().size() : ", no crop")
                + "; mean " + in.mean() + ", std " + in.std());
        String maps = m.heatmaps() == null ? "attention" : m.heatmaps().entrySet().stream()
                .map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining("\n"));
        row = add(g, row, "Heatmaps", maps);
        if (m.source() != null) {
            row = add(g, row, "Checkpoint", m.source().checkpoint() + "\nSHA-256 " + m.source().checkpointSha256()
                    + (m.source().head() == null ? "" : "\nhead " + m.source().head() + ", SHA-256 " + m.source().headSha256()));
            row = add(g, row, "Licence of the weights", m.source().licence());
        }
        if (m.exporter() != null) {
            row = add(g, row, "Exported", m.exporter().created() + " by FundusLens exporter " + m.exporter().version()
                    + " (PyTorch " + m.exporter().torch() + ", ONNX opset " + m.exporter().opset() + ")");
        }
        row = add(g, row, "Intended use", m.intendedUse());
        row = add(g, row, "Bundle SHA-256", bundle.sha256());
        row = add(g, row, "Folder", bundle.dir().toString());
        ExecutionProvider provider = session.provider();
        add(g, row, "Running on", provider.label() + (session.providerNotice() == null ? "" : " \u2014 " + session.providerNotice()));

        Button verify = new Button(Text.t("card.verify.on.this.computer"));
        verify.setId("verifyButton");
        verifyResult.setId("verifyResult");
        verifyResult.setWrapText(true);
        verifyResult.setMinHeight(Region.USE_PREF_SIZE);
        verify.setOnAction(e -> {
            verify.setDisable(true);
            verifyResult.setText("Running the exporter's reference batch on " + provider.label() + "\u2026");
            Task<BundleVerifier.Result> t = new Task<>() {
                @Override
                protected BundleVerifier.Result call() throws Exception {
                    return BundleVerifier.verify(session);
                }
            };
            t.setOnSucceeded(ev -> {
                BundleVerifier.Result r = t.getValue();
                String worst = r.outputs().stream().map(d -> String.format(Locale.ROOT, "%s %.1e", d.output(), d.maxAbs()))
                        .collect(Collectors.joining(", "));
                verifyResult.setText((r.passed() ? "\u2714 Verified: " : "\u2716 Mismatch: ") + "ONNX Runtime on "
                        + r.provider().label() + " reproduces PyTorch's outputs (largest differences: " + worst + ").");
                verifyResult.getStyleClass().add(r.passed() ? "ok" : "error");
                verify.setDisable(false);
            });
            t.setOnFailed(ev -> {
                verifyResult.setText(t.getException().getMessage());
                verifyResult.getStyleClass().add("error");
                verify.setDisable(false);
            });
            Thread th = new Thread(t, "funduslens-verify");
            th.setDaemon(true);
            th.start();
        });
        Button close = new Button(Text.t("settings.close"));
        close.setCancelButton(true);
        close.setOnAction(e -> stage.close());
        Region grow = new Region();
        HBox.setHgrow(grow, Priority.ALWAYS);
        HBox buttons = new HBox(10, verify, grow, close);
        buttons.setAlignment(Pos.CENTER_LEFT);

        ScrollPane scroll = new ScrollPane(g);
        scroll.setFitToWidth(true);
        VBox.setVgrow(scroll, Priority.ALWAYS);
        VBox root = new VBox(12, header, scroll, verifyResult, buttons);
        root.setPadding(new Insets(16));
        root.getStyleClass().add("model-card");
        Scene scene = new Scene(root, 760, 640);
        Theme.apply(scene);
        stage.setScene(scene);
    }

    private static int add(GridPane g, int row, String key, String value) {
        Label k = new Label(key);
        k.getStyleClass().add("card-key");
        k.setAlignment(Pos.TOP_LEFT);
        TextArea v = new TextArea(value == null ? "\u2014" : value);
        v.setEditable(false);
        v.setWrapText(true);
        v.getStyleClass().add("card-value");
        long lines = value == null ? 1 : value.lines().mapToLong(l -> 1 + l.length() / 80).sum();
        v.setPrefRowCount((int) Math.min(lines, 6));
        GridPane.setValignment(k, javafx.geometry.VPos.TOP);
        g.add(k, 0, row);
        g.add(v, 1, row);
        return row + 1;
    }

    Stage stage() {
        return stage;
    }

    void show() {
        stage.show();
    }
}
