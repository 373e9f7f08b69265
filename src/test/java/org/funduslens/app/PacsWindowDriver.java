package org.funduslens.app;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import javafx.application.Platform;
import javafx.scene.control.TreeItem;
import javafx.stage.Stage;
import org.funduslens.dicom.StudyTree;

/**
 * The window's PACS path in its own JVM, so that it can run inside the private network namespace where DicomWebTest
 * starts Orthanc: search by patient ID, retrieve the study, open its first image from the study browser, save a
 * screenshot and print what the window shows. Arguments: DICOMweb URL, patient ID, screenshot file.
 */
public final class PacsWindowDriver {
    private PacsWindowDriver() {}

    private static <T> T fx(Callable<T> c) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        Platform.runLater(() -> {
            try {
                f.complete(c.call());
            } catch (Exception e) {
                f.completeExceptionally(e);
            }
        });
        return f.get();
    }

    private static void await(String what, Callable<Boolean> c) throws Exception {
        long end = System.nanoTime() + 120_000_000_000L;
        while (!fx(c)) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    public static void main(String[] args) throws Exception {
        Platform.startup(() -> { });
        MainWindow w = fx(() -> {
            Stage stage = new Stage();
            MainWindow m = new MainWindow(stage, null);
            stage.setScene(m.scene());
            stage.setWidth(1280);
            stage.setHeight(820);
            stage.show();
            return m;
        });
        PacsDialog d = fx(() -> {
            PacsDialog p = w.openPacsDialog();
            p.setServer(args[0]);
            p.setPatientId(args[1]);
            p.search();
            return p;
        });
        await("the search", () -> !d.busy());
        System.out.println("search: " + fx(d::status) + " " + fx(d::results).size());
        fx(() -> {
            d.retrieve(d.results().get(0));
            return null;
        });
        await("the study browser", () -> !d.busy() && w.studyTree() != null && w.studyTree().getRoot() != null
                && !w.studyTree().getRoot().getChildren().isEmpty() && !w.busy());
        System.out.println("retrieve: " + fx(d::status));
        TreeItem<Object> leaf = fx(() -> {
            TreeItem<Object> t = w.studyTree().getRoot();
            while (!t.getChildren().isEmpty()) {
                t = t.getChildren().get(0);
            }
            return t;
        });
        System.out.println("browser: " + fx(w::studyBrowserTitle));
        fx(() -> {
            d.stage().close();
            w.studyTree().getSelectionModel().select(leaf);
            return null;
        });
        await("the reading", () -> w.currentReading() != null && !w.busy());
        StudyTree.Instance instance = (StudyTree.Instance) leaf.getValue();
        System.out.println("instance: " + instance.sopInstanceUid() + " laterality " + instance.laterality());
        System.out.println("reading: " + fx(() -> w.currentReading().image().eye() + " " + w.currentReading().top().size()));
        fx(() -> {
            w.saveScreenshot(Path.of(args[2]));
            return null;
        });
        System.out.println("done");
        Platform.exit();
        System.exit(0);
    }
}
