package io.advrank.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WeightsFilesTest {
  @TempDir Path dir;

  @Test
  void largeNativeWeightsAreWrittenInPartsAndReadWhole() throws Exception {
    byte[] bytes = randomBytes(2 * WeightsFiles.PART_BYTES + 5);
    WeightsFiles.write(dir, "weights.ndlist", bytes, true);
    assertFalse(Files.exists(dir.resolve("weights.ndlist")));
    assertEquals(WeightsFiles.PART_BYTES, Files.size(dir.resolve("weights.ndlist.1")));
    assertEquals(WeightsFiles.PART_BYTES, Files.size(dir.resolve("weights.ndlist.2")));
    assertEquals(5, Files.size(dir.resolve("weights.ndlist.3")));
    assertArrayEquals(bytes, WeightsFiles.read(dir, "weights.ndlist"));
    assertEquals(bytes.length, WeightsFiles.size(dir, "weights.ndlist"));

    byte[] small = randomBytes(100);
    WeightsFiles.write(dir, "weights.ndlist", small, true);
    assertFalse(Files.exists(dir.resolve("weights.ndlist.1")), "the parts are replaced");
    assertArrayEquals(small, WeightsFiles.read(dir, "weights.ndlist"));

    WeightsFiles.write(dir, "weights.ndlist", bytes, true);
    assertFalse(Files.exists(dir.resolve("weights.ndlist")), "the whole file is replaced");
    assertArrayEquals(bytes, WeightsFiles.read(dir, "weights.ndlist"));
  }

  @Test
  void aTorchScriptFileStaysWhole() throws Exception {
    assertFalse(WeightsFiles.splittable(ModelSpec.TORCHSCRIPT));
    assertTrue(WeightsFiles.splittable(ModelSpec.ENSEMBLE));
    byte[] bytes = randomBytes(WeightsFiles.PART_BYTES + 1);
    WeightsFiles.write(dir, "model.pt", bytes, false);
    assertEquals(bytes.length, Files.size(dir.resolve("model.pt")));
    assertFalse(Files.exists(dir.resolve("model.pt.1")));
  }

  @Test
  void noFileAndNoPartIsNotFound() {
    assertThrows(NoSuchFileException.class, () -> WeightsFiles.read(dir, "weights.ndlist"));
  }

  private static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    new Random(3).nextBytes(bytes);
    return bytes;
  }
}
