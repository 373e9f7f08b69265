package org.funduslens.app;

import java.nio.file.Path;
import java.util.function.Consumer;
import javafx.geometry.Insets;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.layout.BorderPane;
import org.funduslens.study.Worklist;

/** The images of the sitting with their status; selecting one opens it, PageDown and PageUp move through them. */
final class WorklistPanel extends BorderPane {
    private final ListView<Path> list = new ListView<>();
    private final Label title = new Label(Text.t("worklist.worklist"));
    private Worklist worklist;

    WorklistPanel(Consumer<Path> open) {
        setId("worklistPanel");
        getStyleClass().add("study-browser");
        title.getStyleClass().add("section-title");
        title.setPadding(new Insets(8, 10, 6, 10));
        setTop(title);
        setCenter(list);
        setPrefWidth(260);
        list.setId("worklist");
        list.setCellFactory(l -> new ListCell<>() {
            @Override
            protected void updateItem(Path p, boolean empty) {
                super.updateItem(p, empty);
                if (empty || p == null || worklist == null) {
                    setText(null);
                    return;
                }
                String mark = switch (worklist.status(p)) {
                    case NEW -> "\u25CB";
                    case PREDICTED -> "\u25D0";
                    case DECIDED -> "\u2714";
                };
                setText(mark + "  " + p.getFileName());
            }
        });
        list.setOnMouseClicked(e -> {
            Path p = list.getSelectionModel().getSelectedItem();
            if (p != null) {
                open.accept(p);
            }
        });
    }

    void show(String name, Worklist w) {
        this.worklist = w;
        list.getItems().setAll(w.items());
        refresh(name);
    }

    void refresh(String name) {
        if (worklist == null) {
            return;
        }
        title.setText(name + " \u2014 " + worklist.decided() + " of " + worklist.size() + " decided");
        if (worklist.position() >= 0) {
            list.getSelectionModel().select(worklist.position());
            list.scrollTo(Math.max(0, worklist.position() - 3));
        }
        list.refresh();
    }

    ListView<Path> list() {
        return list;
    }
}
