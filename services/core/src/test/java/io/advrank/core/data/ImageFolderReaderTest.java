package io.advrank.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderReaderTest {
  @TempDir Path tmp;

  @Test
  void sortedSubfolderNamesGiveLabelsAndClassNames() throws Exception {
    writeSolid(tmp.resolve("shoe/a.png"), 28, 28, Color.WHITE);
    writeSolid(tmp.resolve("bag/b.png"), 28, 28, Color.BLACK);
    writeSolid(tmp.resolve("bag/a.png"), 28, 28, Color.BLACK);
    writeSolid(tmp.resolve("coat/x.jpg"), 28, 28, Color.WHITE);

    ImageDataset data = ImageFolderReader.read(tmp, 28, 28);

    assertEquals(List.of("bag", "coat", "shoe"), ImageFolderReader.classNames(tmp));
    assertEquals(4, data.size());
    assertEquals(1, data.channels());
    assertEquals(28 * 28, data.imageSize());
    assertArrayEquals(new int[] {0, 0, 1, 2}, data.labels());
    assertEquals(3, data.numClasses());
  }

  @Test
  void colourImagesBecomeLumaGreyscale() throws Exception {
    writeSolid(tmp.resolve("red/r.png"), 28, 28, new Color(255, 0, 0));
    writeSolid(tmp.resolve("teal/t.png"), 28, 28, new Color(0, 128, 128));

    ImageDataset data = ImageFolderReader.read(tmp, 28, 28);

    assertEquals(Math.round(0.299f * 255) / 255f, data.image(0)[100], 1e-6);
    assertEquals(Math.round(0.587f * 128 + 0.114f * 128) / 255f, data.image(1)[100], 1e-6);
  }

  @Test
  void greyImagesKeepTheirValues() throws Exception {
    BufferedImage grey = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
    grey.getRaster().setSample(1, 2, 0, 100);
    write(tmp.resolve("g/grey.png"), grey);

    float[] image = ImageFolderReader.read(tmp, 4, 4).image(0);

    assertEquals(100 / 255f, image[2 * 4 + 1], 1e-6);
    assertEquals(0f, image[0]);
  }

  @Test
  void imagesOfOtherSizesAreResizedBilinearly() throws Exception {
    BufferedImage ramp = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
    ramp.getRaster().setSample(1, 0, 0, 255);
    write(tmp.resolve("ramp/r.png"), ramp);
    writeSolid(tmp.resolve("solid/big.png"), 56, 40, Color.WHITE);

    ImageDataset data = ImageFolderReader.read(tmp, 1, 4);

    float[] resized = data.image(0);
    assertArrayEquals(new float[] {0f, 64 / 255f, 191 / 255f, 1f}, resized, 1e-6f);
    assertArrayEquals(new float[] {1f, 1f, 1f, 1f}, data.image(1), 1e-6f);
  }

  @Test
  void otherFilesAreSkipped() throws Exception {
    writeSolid(tmp.resolve("a/one.PNG"), 3, 3, Color.WHITE);
    Files.writeString(tmp.resolve("a/notes.txt"), "not an image");
    Files.writeString(tmp.resolve("README"), "top-level file");

    assertEquals(1, ImageFolderReader.read(tmp, 3, 3).size());
  }

  @Test
  void unreadableImageIsNamed() throws Exception {
    writeSolid(tmp.resolve("a/good.png"), 3, 3, Color.WHITE);
    Files.createDirectories(tmp.resolve("b"));
    Files.write(tmp.resolve("b/broken.png"), new byte[] {1, 2, 3, 4});

    var e = assertThrows(DataException.class, () -> ImageFolderReader.read(tmp, 3, 3));
    assertTrue(e.getMessage().contains("broken.png"), e.getMessage());
  }

  @Test
  void folderWithoutSubfoldersIsAnError() {
    var e = assertThrows(DataException.class, () -> ImageFolderReader.read(tmp, 28, 28));
    assertTrue(e.getMessage().contains("no class sub-folders"), e.getMessage());
    assertTrue(e.getMessage().contains(tmp.toString()), e.getMessage());
  }

  @Test
  void classFolderWithoutImagesIsNamed() throws Exception {
    writeSolid(tmp.resolve("a/one.png"), 3, 3, Color.WHITE);
    Files.createDirectories(tmp.resolve("empty"));

    var e = assertThrows(DataException.class, () -> ImageFolderReader.read(tmp, 3, 3));
    assertTrue(e.getMessage().contains("empty"), e.getMessage());
  }

  @Test
  void missingFolderIsAnError() {
    assertThrows(DataException.class, () -> ImageFolderReader.classNames(tmp.resolve("none")));
  }

  static void writeSolid(Path file, int width, int height, Color colour) throws IOException {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.setRGB(x, y, colour.getRGB());
      }
    }
    write(file, image);
  }

  private static void write(Path file, BufferedImage image) throws IOException {
    Files.createDirectories(file.getParent());
    String name = file.getFileName().toString().toLowerCase();
    String format = name.endsWith(".png") ? "png" : "jpg";
    if (!ImageIO.write(image, format, file.toFile())) {
      throw new IOException("no ImageIO writer for " + format);
    }
  }
}
