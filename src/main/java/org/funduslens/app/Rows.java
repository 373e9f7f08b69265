package org.funduslens.app;

import java.util.Locale;
import java.util.function.Function;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.TableColumn;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.funduslens.image.Eye;
import org.funduslens.model.Diagnosis;

/** The pieces every window shows the same way: a diagnosis with its probability bar, the eye, a text column. */
final class Rows {
    private Rows() {}

    /** "1.  Name  64.6%", the bar (red for a DEMO bundle), the code (and DEMO); a click runs {@code onClick}. */
    static VBox diagnosis(int rank, Diagnosis d, boolean demo, String id, Runnable onClick) {
        Label name = new Label((rank + 1) + ".  " + d.name());
        name.getStyleClass().add("diagnosis-name");
        name.setWrapText(true);
        Label pct = new Label(String.format(Locale.ROOT, "%.1f%%", d.probability() * 100));
        pct.getStyleClass().add("diagnosis-probability");
        pct.setMinWidth(Region.USE_PREF_SIZE);
        Region grow = new Region();
        HBox.setHgrow(grow, Priority.ALWAYS);
        HBox top = new HBox(6, name, grow, pct);
        ProgressBar bar = new ProgressBar(d.probability());
        bar.setMaxWidth(Double.MAX_VALUE);
        bar.getStyleClass().add(demo ? "demo-bar" : "probability-bar");
        Label code = new Label(d.code() + (demo ? "   \u00B7 DEMO" : ""));
        code.getStyleClass().add("muted");
        VBox row = new VBox(3, top, bar, code);
        top.setMouseTransparent(true);
        bar.setMouseTransparent(true);
        code.setMouseTransparent(true);
        row.setId(id);
        row.getStyleClass().add("diagnosis-row");
        row.setOnMouseClicked(e -> onClick.run());
        return row;
    }

    static String eye(Eye eye) {
        return switch (eye) {
            case OD -> "OD \u2014 right eye";
            case OS -> "OS \u2014 left eye";
            default -> "Eye not stated";
        };
    }

    static <T> TableColumn<T, String> column(String name, Function<T, String> value, double width) {
        TableColumn<T, String> c = new TableColumn<>(name);
        c.setCellValueFactory(f -> new javafx.beans.property.ReadOnlyStringWrapper(value.apply(f.getValue())));
        c.setPrefWidth(width);
        return c;
    }
}
