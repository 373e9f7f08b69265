package org.funduslens.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.funduslens.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageLoaderTest {
    @TempDir
    Path tmp;

    @Test
    void readsEveryRealPhotograph() throws Exception {
        List<Path> photos = TestData.fundusPhotographs();
        assertTrue(photos.size() >= 10, "expected the shared photographs, found " + photos);
        for (Path p : photos) {
            FundusImage img = ImageLoader.load(p);
            BufferedImage ref = ImageIO.read(p.toFile());
            assertEquals(ref.getWidth(), img.width(), p.toString());
            assertEquals(ref.getHeight(), img.height(), p.toString());
            assertEquals(8, img.sourceBitDepth(), p.toString());
            // the centre pixel is the decoder's own value
            int x = img.width() / 2;
            int y = img.height() / 2;
            int argb = ref.getRGB(x, y);
            int o = (y * img.width() + x) * 3;
            assertEquals((argb >> 16) & 0xff, img.rgb()[o] & 0xff, p + " red");
            assertEquals((argb >> 8) & 0xff, img.rgb()[o + 1] & 0xff, p + " green");
            assertEquals(argb & 0xff, img.rgb()[o + 2] & 0xff, p + " blue");
        }
    }

    @Test
    void readsTheGreyVesselMaskAsGrey() throws Exception {
        Path mask = TestData.shared().resolve("fundus/chase_db1/Image_01L_1stHO.png");
        FundusImage img = ImageLoader.load(mask);
        assertEquals(999, img.width());
        assertEquals(960, img.height());
        for (int i = 0; i < img.rgb().length; i += 3 * 997) {
            assertEquals(img.rgb()[i], img.rgb()[i + 1]);
            assertEquals(img.rgb()[i], img.rgb()[i + 2]);
        }
    }

    /** A 16-bit image whose samples are known: v(x, y, c) = (x * 257 + y * 131 + c * 4099) mod 65536. */
    private static int sample16(int x, int y, int c) {
        return (x * 257 + y * 131 + c * 4099) & 0xffff;
    }

    private static int to8(int v) {
        return (int) Math.round(v * 255.0 / 65535.0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"png", "tiff"})
    void reads16BitRgb(String format) throws Exception {
        int w = 80;
        int h = 70;
        BufferedImage img = new BufferedImage(new java.awt.image.ComponentColorModel(
                java.awt.color.ColorSpace.getInstance(java.awt.color.ColorSpace.CS_sRGB), false, false,
                java.awt.Transparency.OPAQUE, java.awt.image.DataBuffer.TYPE_USHORT),
                java.awt.image.Raster.createInterleavedRaster(java.awt.image.DataBuffer.TYPE_USHORT, w, h, 3, null),
                false, null);
        WritableRaster r = img.getRaster();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    r.setSample(x, y, c, sample16(x, y, c));
                }
            }
        }
        Path f = tmp.resolve("rgb16." + format);
        assertTrue(ImageIO.write(img, format, f.toFile()));
        FundusImage loaded = ImageLoader.load(f);
        assertEquals(16, loaded.sourceBitDepth());
        assertFalse(loaded.sourceGrey());
        for (int y = 0; y < h; y += 7) {
            for (int x = 0; x < w; x += 5) {
                for (int c = 0; c < 3; c++) {
                    assertEquals(to8(sample16(x, y, c)), loaded.rgb()[(y * w + x) * 3 + c] & 0xff, x + "," + y + "," + c);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"png", "tiff"})
    void reads16BitGrey(String format) throws Exception {
        BufferedImage img = new BufferedImage(96, 64, BufferedImage.TYPE_USHORT_GRAY);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 96; x++) {
                img.getRaster().setSample(x, y, 0, sample16(x, y, 0));
            }
        }
        Path f = tmp.resolve("grey16." + format);
        assertTrue(ImageIO.write(img, format, f.toFile()));
        FundusImage loaded = ImageLoader.load(f);
        assertEquals(16, loaded.sourceBitDepth());
        assertTrue(loaded.sourceGrey());
        int o = (10 * 96 + 33) * 3;
        int expected = to8(sample16(33, 10, 0));
        assertEquals(expected, loaded.rgb()[o] & 0xff);
        assertEquals(expected, loaded.rgb()[o + 1] & 0xff);
        assertEquals(expected, loaded.rgb()[o + 2] & 0xff);
    }

    @ParameterizedTest
    @ValueSource(strings = {"png", "tiff", "jpeg"})
    void reads8BitGreyAndRgb(String format) throws Exception {
        BufferedImage grey = new BufferedImage(64, 64, BufferedImage.TYPE_BYTE_GRAY);
        BufferedImage rgb = new BufferedImage(64, 64, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                grey.getRaster().setSample(x, y, 0, 100);
                rgb.setRGB(x, y, 0xc86432);
            }
        }
        Path g = tmp.resolve("grey." + format);
        Path c = tmp.resolve("rgb." + format);
        ImageIO.write(grey, format, g.toFile());
        ImageIO.write(rgb, format, c.toFile());
        FundusImage gi = ImageLoader.load(g);
        FundusImage ci = ImageLoader.load(c);
        assertTrue(gi.sourceGrey());
        assertFalse(ci.sourceGrey());
        int tol = format.equals("jpeg") ? 3 : 0;
        assertNear(100, gi.rgb()[3 * 100] & 0xff, tol);
        assertNear(0xc8, ci.rgb()[3 * 100] & 0xff, tol);
        assertNear(0x64, ci.rgb()[3 * 100 + 1] & 0xff, tol);
        assertNear(0x32, ci.rgb()[3 * 100 + 2] & 0xff, tol);
    }

    private static void assertNear(int expected, int actual, int tol) {
        assertTrue(Math.abs(expected - actual) <= tol, "expected " + expected + " +-" + tol + " but was " + actual);
    }

    @Test
    void paletteImagesAreConverted() throws Exception {
        BufferedImage idx = new BufferedImage(70, 70, BufferedImage.TYPE_BYTE_INDEXED);
        for (int y = 0; y < 70; y++) {
            for (int x = 0; x < 70; x++) {
                idx.setRGB(x, y, 0xff0000);
            }
        }
        Path f = tmp.resolve("palette.png");
        ImageIO.write(idx, "png", f.toFile());
        FundusImage img = ImageLoader.load(f);
        assertEquals(255, img.rgb()[0] & 0xff);
        assertEquals(0, img.rgb()[1] & 0xff);
    }

    // ----------------------------------------------------------------------------------- bad input

    private static ImageLoadException refused(Path f) {
        ImageLoadException e = assertThrows(ImageLoadException.class, () -> ImageLoader.load(f));
        assertTrue(e.getMessage().startsWith(f.getFileName().toString() + ": "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e;
    }

    @Test
    void refusesATextFile() throws IOException {
        Path f = Files.writeString(tmp.resolve("notes.jpg"), "this is not an image\n");
        assertTrue(refused(f).getMessage().contains("not a JPEG, PNG, TIFF or DICOM"));
    }

    @Test
    void refusesAnEmptyFile() throws IOException {
        Path f = Files.write(tmp.resolve("empty.png"), new byte[0]);
        refused(f);
    }

    @Test
    void refusesTruncatedRealFiles() throws Exception {
        for (Path real : List.of(TestData.shared().resolve("fundus/hrf/01_h.jpg"),
                TestData.shared().resolve("fundus/other/wikimedia_macular_hole.png"))) {
            byte[] all = Files.readAllBytes(real);
            Path f = tmp.resolve("cut-" + real.getFileName());
            Files.write(f, Arrays.copyOf(all, all.length / 2));
            assertTrue(refused(f).getMessage().contains("truncated"), "for " + real);
        }
    }

    @Test
    void refusesATruncatedTiff() throws Exception {
        BufferedImage img = new BufferedImage(300, 300, BufferedImage.TYPE_3BYTE_BGR);
        Path whole = tmp.resolve("whole.tif");
        ImageIO.write(img, "tiff", whole.toFile());
        byte[] all = Files.readAllBytes(whole);
        Path f = Files.write(tmp.resolve("cut.tif"), Arrays.copyOf(all, all.length / 3));
        refused(f);
    }

    @Test
    void refusesTinyImages() throws Exception {
        BufferedImage img = new BufferedImage(63, 200, BufferedImage.TYPE_3BYTE_BGR);
        Path f = tmp.resolve("small.png");
        ImageIO.write(img, "png", f.toFile());
        assertTrue(refused(f).getMessage().contains("at least 64 pixels"));
    }

    @Test
    void refusesOtherFormatsByName() throws Exception {
        BufferedImage img = new BufferedImage(100, 100, BufferedImage.TYPE_3BYTE_BGR);
        Path f = tmp.resolve("photo.bmp");
        ImageIO.write(img, "bmp", f.toFile());
        assertTrue(refused(f).getMessage().contains("BMP"));
    }

    @Test
    void refusesMissingFilesAndFolders() {
        assertTrue(refused(tmp.resolve("nowhere.jpg")).getMessage().contains("does not exist"));
        assertTrue(refused(tmp).getMessage().contains("folder"));
    }
}
