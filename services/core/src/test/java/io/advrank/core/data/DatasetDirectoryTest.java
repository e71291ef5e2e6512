package io.advrank.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.core.data.DatasetDirectory.Split;
import java.awt.Color;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetDirectoryTest {
  @TempDir Path tmp;

  @Test
  void loadsBothSplitsOfTheFixture() throws Exception {
    ImageDataset train = DatasetDirectory.load(Fixtures.fashionMnistMini(), Split.TRAIN);
    ImageDataset test = DatasetDirectory.load(Fixtures.fashionMnistMini(), Split.TEST);

    assertEquals("fashion-mnist-mini-train", train.name());
    assertEquals(2000, train.size());
    assertEquals("fashion-mnist-mini-test", test.name());
    assertEquals(1000, test.size());
    for (int label = 0; label < 10; label++) {
      assertEquals(100, test.indicesOfLabel(label).length, "test images of class " + label);
    }
  }

  @Test
  void readsRawFilesWhenNoGzippedOnesExist() throws Exception {
    ImageDataset test = DatasetDirectory.load(Fixtures.fashionMnistMini(), Split.TEST);
    IdxReader.write(
        tmp.resolve("t10k-images-idx3-ubyte"), tmp.resolve("t10k-labels-idx1-ubyte"), test, false);

    ImageDataset raw = DatasetDirectory.load(tmp, Split.TEST);

    assertArrayEquals(test.labels(), raw.labels());
    assertArrayEquals(test.image(999), raw.image(999));
  }

  @Test
  void missingDirectorySaysHowToGetData() {
    Path missing = tmp.resolve("fashion-mnist");
    var e = assertThrows(DataException.class, () -> DatasetDirectory.load(missing, Split.TRAIN));
    assertEquals(
        "no Fashion-MNIST at "
            + missing
            + ": install it with `apt-get install dataset-fashion-mnist`,"
            + " or pass --data DIR (a directory of IDX files)",
        e.getMessage());
  }

  @Test
  void missingFileNamesWhatWasLookedFor() throws Exception {
    ImageDataset test = DatasetDirectory.load(Fixtures.fashionMnistMini(), Split.TEST);
    IdxReader.write(tmp.resolve("t10k-images-idx3-ubyte.gz"), tmp.resolve("ignored"), test, true);

    var e = assertThrows(DataException.class, () -> DatasetDirectory.load(tmp, Split.TEST));
    String message = e.getMessage();
    assertTrue(message.contains("t10k-labels-idx1-ubyte.gz"), message);
    assertTrue(message.contains("apt-get install") && message.contains("--data"), message);
  }

  @Test
  void imageFolderIsUsedWhenThereAreNoIdxFiles() throws Exception {
    ImageFolderReaderTest.writeSolid(tmp.resolve("train/bag/a.png"), 28, 28, Color.WHITE);
    ImageFolderReaderTest.writeSolid(tmp.resolve("train/shoe/b.png"), 30, 20, Color.BLACK);
    ImageFolderReaderTest.writeSolid(tmp.resolve("test/bag/c.png"), 28, 28, Color.WHITE);

    ImageDataset train = DatasetDirectory.load(tmp, Split.TRAIN);
    ImageDataset test = DatasetDirectory.load(tmp, Split.TEST);

    assertEquals(2, train.size());
    assertEquals(28, train.height());
    assertArrayEquals(new int[] {0, 1}, train.labels());
    assertTrue(train.name().endsWith("-train"), train.name());
    assertEquals(1, test.size());
  }

  @Test
  void imageFolderWithoutSplitsServesBothSplits() throws Exception {
    ImageFolderReaderTest.writeSolid(tmp.resolve("bag/a.png"), 28, 28, Color.WHITE);

    assertEquals(1, DatasetDirectory.load(tmp, Split.TRAIN).size());
    assertEquals(1, DatasetDirectory.load(tmp, Split.TEST).size());
  }

  @Test
  void emptyDirectoryNamesTheIdxFileLookedFor() throws Exception {
    Files.createDirectories(tmp.resolve("data"));
    var e =
        assertThrows(
            DataException.class, () -> DatasetDirectory.load(tmp.resolve("data"), Split.TRAIN));
    assertTrue(e.getMessage().contains("train-images-idx3-ubyte.gz"), e.getMessage());
  }
}
