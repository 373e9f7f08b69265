package org.funduslens.app;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import javafx.application.Platform;
import javafx.geometry.Insets;
import javafx.scene.control.Label;
import javafx.scene.control.TreeCell;
import javafx.scene.control.TreeItem;
import javafx.scene.control.TreeView;
import javafx.scene.image.Image;
import javafx.scene.image.ImageView;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.layout.BorderPane;
import org.funduslens.dicom.DicomImages;
import org.funduslens.dicom.StudyTree;

/**
 * Patient, study, series and instance of a DICOM folder or DICOMDIR, with thumbnails made lazily (only for the
 * instances shown). Patient names appear here and nowhere else. Selecting an instance opens it.
 */
final class StudyBrowser extends BorderPane {
    private static final int THUMB = 48;
    private final TreeView<Object> tree = new TreeView<>();
    private final Label title = new Label(Text.t("browser.studies"));
    private final Map<Path, Image> thumbnails = new ConcurrentHashMap<>();
    private final ExecutorService thumbnailer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "funduslens-thumbnails");
        t.setDaemon(true);
        return t;
    });

    StudyBrowser(Consumer<Path> open) {
        setId("studyBrowser");
        getStyleClass().add("study-browser");
        title.getStyleClass().add("section-title");
        title.setPadding(new Insets(8, 10, 6, 10));
        setTop(title);
        setCenter(tree);
        setPrefWidth(300);
        tree.setId("studyTree");
        tree.setShowRoot(false);
        tree.setCellFactory(t -> new Cell());
        tree.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> {
            if (b != null && b.getValue() instanceof StudyTree.Instance i) {
                open.accept(i.file());
            }
        });
    }

    void show(String source, StudyTree studies) {
        title.setText(source);
        TreeItem<Object> root = new TreeItem<>("root");
        for (StudyTree.Patient p : studies.patients()) {
            TreeItem<Object> pi = new TreeItem<>(p);
            pi.setExpanded(true);
            for (StudyTree.Study s : p.studies()) {
                TreeItem<Object> si = new TreeItem<>(s);
                si.setExpanded(true);
                for (StudyTree.Series se : s.series()) {
                    TreeItem<Object> sei = new TreeItem<>(se);
                    sei.setExpanded(true);
                    se.instances().forEach(i -> sei.getChildren().add(new TreeItem<>(i)));
                    si.getChildren().add(sei);
                }
                pi.getChildren().add(si);
            }
            root.getChildren().add(pi);
        }
        tree.setRoot(root);
    }

    String title() {
        return title.getText();
    }

    TreeView<Object> tree() {
        return tree;
    }

    private final class Cell extends TreeCell<Object> {
        @Override
        protected void updateItem(Object item, boolean empty) {
            super.updateItem(item, empty);
            setGraphic(null);
            if (empty || item == null) {
                setText(null);
                return;
            }
            setText(switch (item) {
                case StudyTree.Patient p -> p.label();
                case StudyTree.Study s -> s.label();
                case StudyTree.Series s -> s.label();
                case StudyTree.Instance i -> i.label();
                default -> item.toString();
            });
            if (item instanceof StudyTree.Instance i) {
                Image img = thumbnails.get(i.file());
                if (img != null) {
                    setGraphic(new ImageView(img));
                } else {
                    thumbnailer.submit(() -> thumbnail(i.file()));
                }
            }
        }
    }

    private void thumbnail(Path file) {
        if (thumbnails.containsKey(file)) {
            return;
        }
        try {
            DicomImages.Picture p = DicomImages.read(file, 0);
            int w = THUMB;
            int h = Math.max(1, (int) Math.round(THUMB * (double) p.height() / p.width()));
            byte[] small = new byte[w * h * 3];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int sx = Math.min(p.width() - 1, x * p.width() / w);
                    int sy = Math.min(p.height() - 1, y * p.height() / h);
                    System.arraycopy(p.rgb(), (sy * p.width() + sx) * 3, small, (y * w + x) * 3, 3);
                }
            }
            WritableImage img = new WritableImage(w, h);
            img.getPixelWriter().setPixels(0, 0, w, h, PixelFormat.getByteRgbInstance(), small, 0, w * 3);
            thumbnails.put(file, img);
            Platform.runLater(tree::refresh);
        } catch (Exception | OutOfMemoryError e) {
            // no thumbnail: the instance still opens and says what is wrong with it
        }
    }

    void close() {
        thumbnailer.shutdownNow();
    }
}
