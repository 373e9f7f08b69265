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
    private final Group content = new Group(photo, heatmap, region);
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
        getChildren().add(content);
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
        });
        setOnMouseDragged(e -> {
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
        heatmap.setImage(null);
        quarterTurns = 0;
        flipped = false;
        adjust.setBrightness(0);
        adjust.setContrast(0);
        fit();
    }

    /** Swaps the displayed photograph (e.g. for the red-free view) without touching zoom, pan or the overlay. */
    public void replaceImage(Image image) {
        photo.setImage(image);
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
