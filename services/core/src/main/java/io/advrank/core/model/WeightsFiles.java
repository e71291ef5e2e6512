package io.advrank.core.model;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A model directory's weights on disk: the file its manifest names or, for native weights over
 * {@link #PART_BYTES}, that name with {@code .1}, {@code .2}, … appended: the same bytes in parts
 * of at most {@link #PART_BYTES}, so that a model directory fits a repository that limits the size
 * of a file (this one's limit is 10 MB; two rc2f2 joined by {@code models ensemble} are 15 MB as
 * float16). Every reader sees the whole file, and the manifest's sha256 is the whole file's. A
 * TorchScript file is always whole, for {@code torch.jit.load}.
 */
public final class WeightsFiles {
  /** The largest part of a weights file written in parts (8 MiB). */
  public static final int PART_BYTES = 8 << 20;

  private WeightsFiles() {}

  /**
   * The weights file {@code name} in {@code dir}, whole or put together from its parts.
   *
   * @throws NoSuchFileException when neither the file nor its first part is there
   */
  public static byte[] read(Path dir, String name) throws IOException {
    Path whole = dir.resolve(name);
    if (Files.exists(whole) || !Files.exists(part(dir, name, 1))) {
      return Files.readAllBytes(whole);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int i = 1; Files.exists(part(dir, name, i)); i++) {
      bytes.write(Files.readAllBytes(part(dir, name, i)));
    }
    return bytes.toByteArray();
  }

  /**
   * Writes {@code bytes} as the weights file {@code name} in {@code dir}: in parts when {@code
   * splittable} (native weights) and larger than {@link #PART_BYTES}, else whole; removes what an
   * earlier write left there in the other form.
   */
  public static void write(Path dir, String name, byte[] bytes, boolean splittable)
      throws IOException {
    int parts = splittable ? Math.max(1, (bytes.length + PART_BYTES - 1) / PART_BYTES) : 1;
    for (int i = 1; Files.exists(part(dir, name, i)); i++) {
      Files.delete(part(dir, name, i));
    }
    if (parts == 1) {
      Files.write(dir.resolve(name), bytes);
      return;
    }
    Files.deleteIfExists(dir.resolve(name));
    for (int i = 0; i < parts; i++) {
      int from = i * PART_BYTES;
      Files.write(
          part(dir, name, i + 1),
          Arrays.copyOfRange(bytes, from, Math.min(bytes.length, from + PART_BYTES)));
    }
  }

  /** Bytes of the weights file {@code name} in {@code dir}, whole or in parts. */
  public static long size(Path dir, String name) throws IOException {
    Path whole = dir.resolve(name);
    if (Files.exists(whole)) {
      return Files.size(whole);
    }
    long total = 0;
    for (int i = 1; Files.exists(part(dir, name, i)); i++) {
      total += Files.size(part(dir, name, i));
    }
    return total;
  }

  /** Whether {@code architecture}'s weights may be written in parts (not a TorchScript file). */
  public static boolean splittable(String architecture) {
    return !ModelSpec.TORCHSCRIPT.equals(architecture);
  }

  private static Path part(Path dir, String name, int i) {
    return dir.resolve(name + "." + i);
  }
}
