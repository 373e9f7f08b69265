package org.funduslens.model;

import org.funduslens.image.FundusImage;

/**
 * Turns a {@link FundusImage} into the network's input tensor exactly as the bundle's recipe says, following the
 * upstream torchvision evaluation transforms: Resize (PIL resampling), CenterCrop, ToTensor, Normalize, all in
 * float32 in the same order. The only class that knows how pixels become a tensor.
 */
public final class Preprocessor {
    private final BundleManifest.InputRecipe recipe;
    private final PilResampler.Filter filter;
    private final float[] mean = new float[3];
    private final float[] std = new float[3];

    public Preprocessor(BundleManifest.InputRecipe recipe) {
        this.recipe = recipe;
        this.filter = PilResampler.Filter.of(recipe.resize().interpolation());
        for (int c = 0; c < 3; c++) {
            mean[c] = recipe.mean().get(c).floatValue();
            std[c] = recipe.std().get(c).floatValue();
        }
    }

    /** One image ready for the network: CHW float32 of {@code size x size}, and where it lies in the source. */
    public record Tensor(float[] chw, int size, CropRegion region) {}

    /** An 8-bit image after the resize and crop, before normalisation (what a person would see). */
    public record Cropped(byte[] rgb, int size, CropRegion region) {}

    public int size() {
        return recipe.size();
    }

    /** torchvision's output size for Resize(int): the shorter side becomes {@code s}, the longer keeps the ratio (truncated). */
    static int[] resizedSize(int w, int h, BundleManifest.Resize resize) {
        int s = resize.size();
        if ("square".equals(resize.mode())) {
            return new int[] {s, s};
        }
        if (w <= h) {
            return new int[] {s, (int) ((long) s * h / w)};
        }
        return new int[] {(int) ((long) s * w / h), s};
    }

    /** Python's round(): halves go to the even neighbour, as torchvision's CenterCrop offsets do. */
    static int roundHalfEven(double v) {
        return (int) Math.rint(v);
    }

    public Cropped resizeAndCrop(FundusImage img) {
        int w = img.width();
        int h = img.height();
        int[] rs = resizedSize(w, h, recipe.resize());
        int rw = rs[0];
        int rh = rs[1];
        int size = recipe.size();
        int top = 0;
        int left = 0;
        if ("center".equals(recipe.crop().mode())) {
            top = roundHalfEven((rh - size) / 2.0);
            left = roundHalfEven((rw - size) / 2.0);
        }
        // only the crop is resampled: the same bytes as resizing the whole image and cropping it
        byte[] out = PilResampler.resizeCrop(img.rgb(), w, h, rw, rh, filter, left, top, size, size);
        double sx = (double) w / rw;
        double sy = (double) h / rh;
        return new Cropped(out, size, new CropRegion(left * sx, top * sy, size * sx, size * sy));
    }

    public Tensor preprocess(FundusImage img) {
        Cropped c = resizeAndCrop(img);
        int size = c.size();
        int plane = size * size;
        float[] chw = new float[3 * plane];
        float scale = (float) recipe.scale();
        byte[] rgb = c.rgb();
        for (int i = 0; i < plane; i++) {
            for (int ch = 0; ch < 3; ch++) {
                // ToTensor divides by 255 in float32; Normalize subtracts then divides, also in float32
                float v = scale == 1f / 255f ? (rgb[i * 3 + ch] & 0xff) / 255f : (rgb[i * 3 + ch] & 0xff) * scale;
                chw[ch * plane + i] = (v - mean[ch]) / std[ch];
            }
        }
        return new Tensor(chw, size, c.region());
    }
}
