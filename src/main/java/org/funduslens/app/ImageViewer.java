package org.funduslens.app;

import javafx.beans.property.DoubleProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.geometry.Point2D;
import javafx.scene.Group;
import javafx.scene.image.Image;
import javafx.scene.image.ImageView;
import javafx.scene.input.MouseButton;
import javafx.scene.layout.Region;
import javafx.scene.shape.Rectangle;

/**
 * The photograph with the heatmap laid over it: fitted to the view when an image opens, zoomed with the wheel
 * (around the pointer), panned by dragging, fitted again by a double click.
 */
public final class ImageViewer extends Region {
    private static final double MIN_ZOOM = 0.05;
    private static final double MAX_ZOOM = 32;

    private final ImageView photo = new ImageView();
    private final ImageView heatmap = new ImageView();
    private final javafx.scene.shape.Rectangle region = new javafx.scene.shape.Rectangle();
    private final javafx.scene.shape.Line ruler = new javafx.scene.shape.Line();
    private final javafx.scene.text.Text rulerText = new javafx.scene.text.Text();
    private final Group content = new Group(photo, heatmap, region, ruler, rulerText);
    private static final double LOUPE_RADIUS = 90;
    private static final double LOUPE_FACTOR = 3;
    private final ImageView loupeView = new ImageView();
    private final javafx.scene.shape.Circle loupeRing = new javafx.scene.shape.Circle(LOUPE_RADIUS, LOUPE_RADIUS, LOUPE_RADIUS);
    private final Group loupe = new Group(loupeView, loupeRing);
    private boolean loupeOn;
    private boolean measuring;
    private java.util.function.BiFunction<Double, Double, String> measureText = (dx, dy) -> String.format(
            java.util.Locale.ROOT, "%.0f px", Math.hypot(dx, dy));
    private String measurement;
    private final DoubleProperty zoom = new SimpleDoubleProperty(1);
    private final javafx.scene.effect.ColorAdjust adjust = new javafx.scene.effect.ColorAdjust();
    private int quarterTurns;
    private boolean flipped;
    private double dragX;
    private double dragY;
    private boolean fitted = true;

    public ImageViewer() {
        getStyleClass().add("image-viewer");
        photo.setId("photoView");
        heatmap.setId("heatmapView");
        photo.setSmooth(true);
        photo.setEffect(adjust);
        heatmap.setSmooth(true);
        heatmap.setMouseTransparent(true);
        region.setId("analysedRegion");
        region.getStyleClass().add("analysed-region");
        region.setMouseTransparent(true);
        region.setVisible(false);
        region.visibleProperty().bind(heatmap.visibleProperty().and(heatmap.imageProperty().isNotNull()));
        ruler.setId("ruler");
        ruler.getStyleClass().add("ruler");
        ruler.setMouseTransparent(true);
        ruler.setVisible(false);
        ruler.strokeWidthProperty().bind(javafx.beans.binding.Bindings.divide(2.0, zoom));
        rulerText.setId("rulerText");
        rulerText.getStyleClass().add("ruler-text");
        rulerText.setMouseTransparent(true);
        rulerText.setVisible(false);
        loupeView.setFitWidth(2 * LOUPE_RADIUS);
        loupeView.setFitHeight(2 * LOUPE_RADIUS);
        loupeView.setSmooth(true);
        loupeView.setEffect(adjust);
        loupeView.setClip(new javafx.scene.shape.Circle(LOUPE_RADIUS, LOUPE_RADIUS, LOUPE_RADIUS));
        loupeRing.getStyleClass().add("loupe-ring");
        loupe.setId("loupe");
        loupe.setMouseTransparent(true);
        loupe.setManaged(false);
        loupe.setVisible(false);
        getChildren().addAll(content, loupe);
        Rectangle clip = new Rectangle();
        clip.widthProperty().bind(widthProperty());
        clip.heightProperty().bind(heightProperty());
        setClip(clip);

        setOnScroll(e -> {
            if (photo.getImage() != null && e.getDeltaY() != 0) {
                zoomAround(e.getDeltaY() > 0 ? 1.15 : 1 / 1.15, e.getX(), e.getY());
            }
        });
        setOnMousePressed(e -> {
            dragX = e.getX();
            dragY = e.getY();
            if (measuring && e.getButton() == MouseButton.PRIMARY && photo.getImage() != null) {
                Point2D p = content.sceneToLocal(e.getSceneX(), e.getSceneY());
                ruler.setStartX(p.getX());
                ruler.setStartY(p.getY());
                ruler.setEndX(p.getX());
                ruler.setEndY(p.getY());
                ruler.setVisible(true);
                rulerText.setVisible(false);
            }
        });
        setOnMouseMoved(e -> moveLoupe(e.getX(), e.getY(), e.getSceneX(), e.getSceneY()));
        setOnMouseExited(e -> loupe.setVisible(false));
        setOnMouseDragged(e -> {
            moveLoupe(e.getX(), e.getY(), e.getSceneX(), e.getSceneY());
            if (measuring && e.getButton() == MouseButton.PRIMARY && ruler.isVisible()) {
                Point2D p = content.sceneToLocal(e.getSceneX(), e.getSceneY());
                ruler.setEndX(p.getX());
                ruler.setEndY(p.getY());
                showMeasurement();
                return;
            }
            if (e.getButton() == MouseButton.PRIMARY || e.getButton() == MouseButton.MIDDLE) {
                content.setTranslateX(content.getTranslateX() + e.getX() - dragX);
                content.setTranslateY(content.getTranslateY() + e.getY() - dragY);
                dragX = e.getX();
                dragY = e.getY();
                fitted = false;
            }
        });
        setOnMouseClicked(e -> {
            if (e.getClickCount() == 2) {
                fit();
            }
        });
        widthProperty().addListener((o, a, b) -> refit());
        heightProperty().addListener((o, a, b) -> refit());
    }

    public void setImage(Image image) {
        photo.setImage(image);
        loupeView.setImage(image);
        heatmap.setImage(null);
        ruler.setVisible(false);
        rulerText.setVisible(false);
        measurement = null;
        quarterTurns = 0;
        flipped = false;
        adjust.setBrightness(0);
        adjust.setContrast(0);
        fit();
    }

    /** Swaps the displayed photograph (e.g. for the red-free view) without touching zoom, pan or the overlay. */
    public void replaceImage(Image image) {
        photo.setImage(image);
        loupeView.setImage(image);
    }

    /** The magnifier: a circle following the pointer showing the image at three times the current zoom. */
    public void setLoupe(boolean on) {
        loupeOn = on;
        if (!on) {
            loupe.setVisible(false);
        }
    }

    public boolean loupeOn() {
        return loupeOn;
    }

    public boolean loupeShown() {
        return loupe.isVisible();
    }

    private void moveLoupe(double x, double y, double sceneX, double sceneY) {
        if (!loupeOn || photo.getImage() == null) {
            return;
        }
        Point2D p = photo.sceneToLocal(sceneX, sceneY);
        double span = 2 * LOUPE_RADIUS / (zoom.get() * LOUPE_FACTOR);
        loupeView.setViewport(new javafx.geometry.Rectangle2D(p.getX() - span / 2, p.getY() - span / 2, span, span));
        loupe.relocate(x - LOUPE_RADIUS, y - LOUPE_RADIUS);
        loupe.setVisible(true);
    }

    /**
     * Measuring: while on, a drag draws a line on the image and labels its length with {@code text} (given the
     * displacement in image pixels: millimetres where the pixel spacing is known).
     */
    public void setMeasuring(boolean on, java.util.function.BiFunction<Double, Double, String> text) {
        measuring = on;
        if (text != null) {
            measureText = text;
        }
        if (!on) {
            ruler.setVisible(false);
            rulerText.setVisible(false);
        }
    }

    public boolean measuring() {
        return measuring;
    }

    /** The last measurement's label, or null. */
    public String measurement() {
        return measurement;
    }

    private void showMeasurement() {
        double dx = ruler.getEndX() - ruler.getStartX();
        double dy = ruler.getEndY() - ruler.getStartY();
        measurement = measureText.apply(dx, dy);
        rulerText.setText(measurement);
        rulerText.setX(ruler.getEndX() + 8 / zoom.get());
        rulerText.setY(ruler.getEndY() - 8 / zoom.get());
        rulerText.setFont(javafx.scene.text.Font.font("System", javafx.scene.text.FontWeight.BOLD, 15 / zoom.get()));
        rulerText.setVisible(true);
    }

    /** Brightness and contrast of the photograph (not the heatmap), each in [-1, 1]. */
    public void adjust(double brightness, double contrast) {
        adjust.setBrightness(Math.max(-1, Math.min(1, brightness)));
        adjust.setContrast(Math.max(-1, Math.min(1, contrast)));
    }

    public double brightness() {
        return adjust.getBrightness();
    }

    public double contrast() {
        return adjust.getContrast();
    }

    /** Turns the image (and its overlay) a quarter turn clockwise. */
    public void rotate() {
        quarterTurns = (quarterTurns + 1) % 4;
        fit();
    }

    /** Mirrors the image left to right (and its overlay). */
    public void flip() {
        flipped = !flipped;
        fit();
    }

    /** Outlines the part of the image the model saw (its centre crop), in image pixels. */
    public void setAnalysedRegion(double x, double y, double w, double h) {
        region.setX(x);
        region.setY(y);
        region.setWidth(w);
        region.setHeight(h);
        // keep the outline about 1.5 screen pixels wide whatever the zoom
        region.strokeWidthProperty().bind(javafx.beans.binding.Bindings.divide(1.5, zoom));
    }

    public Image image() {
        return photo.getImage();
    }

    public void setHeatmap(Image image) {
        heatmap.setImage(image);
        if (image != null && photo.getImage() != null) {
            heatmap.setFitWidth(photo.getImage().getWidth());
            heatmap.setFitHeight(photo.getImage().getHeight());
        }
    }

    public Image heatmapImage() {
        return heatmap.getImage();
    }

    public DoubleProperty heatmapOpacityProperty() {
        return heatmap.opacityProperty();
    }

    public void setHeatmapVisible(boolean visible) {
        heatmap.setVisible(visible);
    }

    public boolean heatmapShown() {
        return heatmap.getImage() != null && heatmap.isVisible() && heatmap.getOpacity() > 0;
    }

    public DoubleProperty zoomProperty() {
        return zoom;
    }

    /** The whole image in view, centred. */
    public void fit() {
        fitted = true;
        Image img = photo.getImage();
        if (img == null || getWidth() <= 0 || getHeight() <= 0) {
            return;
        }
        double z = Math.min(getWidth() / img.getWidth(), getHeight() / img.getHeight()) * 0.98;
        setZoom(z);
        content.setTranslateX((getWidth() - img.getWidth() * z) / 2);
        content.setTranslateY((getHeight() - img.getHeight() * z) / 2);
    }

    /** One image pixel per screen pixel, centred on the middle of the view. */
    public void actualSize() {
        zoomAround(1 / zoom.get(), getWidth() / 2, getHeight() / 2);
    }

    public void zoomIn() {
        zoomAround(1.25, getWidth() / 2, getHeight() / 2);
    }

    public void zoomOut() {
        zoomAround(1 / 1.25, getWidth() / 2, getHeight() / 2);
    }

    private void refit() {
        if (fitted) {
            fit();
        }
    }

    private void zoomAround(double factor, double x, double y) {
        if (photo.getImage() == null) {
            return;
        }
        double old = zoom.get();
        double z = Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, old * factor));
        Point2D p = new Point2D((x - content.getTranslateX()) / old, (y - content.getTranslateY()) / old);
        setZoom(z);
        content.setTranslateX(x - p.getX() * z);
        content.setTranslateY(y - p.getY() * z);
        fitted = false;
    }

    private void setZoom(double z) {
        zoom.set(z);
        // scale about the top-left corner so that translate is the image origin on screen; rotation and mirroring
        // happen about the image's centre, inside that
        Image img = photo.getImage();
        double cx = img == null ? 0 : img.getWidth() / 2;
        double cy = img == null ? 0 : img.getHeight() / 2;
        content.getTransforms().setAll(new javafx.scene.transform.Scale(z, z, 0, 0),
                new javafx.scene.transform.Rotate(90.0 * quarterTurns, cx, cy),
                new javafx.scene.transform.Scale(flipped ? -1 : 1, 1, cx, cy));
    }

    @Override
    protected void layoutChildren() {
        content.relocate(0, 0);
    }
}
