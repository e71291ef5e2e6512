package io.advrank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline on a user's TorchScript model and RGB photos (the committed RGB fixture), on
 * an embedded broker: producer (the photo files as they are) → attack-worker (rob224 CA+ and
 * SP-QA+, variants delivered as 8-bit images) → ranker → monitor, with the defense-trainer taking
 * EST steps on the user's module. Asserts what is certain within the run: both attacks published
 * rank shifts measured on the user's model, the trainer trained it, and the bad photos planted in
 * the folder were refused while the rest was served: one that does not decode and one whose header
 * claims 10^10 pixels are dead-lettered as invalid, one over Kafka's 1 MB limit is skipped by the
 * producer. Publishing a version depends on the gate's verdict and on this machine's speed, so it
 * is shown by hand (README), not asserted here.
 */
class DemoUserModelIT {
  private static final Pattern SHIFT =
      Pattern.compile("(CA\\+|SP-QA\\+) +([0-9.]+) -> *([0-9.]+) \\(\\d+\\)");
  private static final Pattern STEPS = Pattern.compile("trainer (\\d+) steps");
  private static final Pattern BAD_INPUT = Pattern.compile("bad in .*");

  @TempDir Path tmp;

  @Test
  void attacksAndHardensTheUsersModelOnItsPhotos() {
    String model = tmp.resolve("user").toString();
    CliRun imported =
        CliRun.of(
            "models",
            "import",
            CliRun.RGB_FIXTURE.resolve("model.pt").toString(),
            "--input",
            "3x32x32",
            "--mean",
            "0.485,0.456,0.406",
            "--std",
            "0.229,0.224,0.225",
            "--version",
            "user-model",
            "--out",
            model);
    assertEquals(0, imported.exitCode(), imported.err());
    CliRun r =
        CliRun.of(
            "demo",
            "--model",
            model,
            "--data",
            photosWithBadOnes().toString(),
            "--duration",
            "40s",
            "--interval",
            "5",
            "--catalog-limit",
            "80",
            "--query-rate",
            "5",
            "--metrics-port",
            "0",
            "--monitor-port",
            "0",
            "--console-port",
            "0",
            "--campaign",
            "CA+ eps=8/255 w=1 fraction=0.3 profile=rob224;"
                + " SP-QA+ eps=8/255 m=1 fraction=0.3 profile=rob224");
    assertEquals(0, r.exitCode(), r.err());
    boolean caPlus = false;
    boolean qaPlus = false;
    Matcher m = SHIFT.matcher(r.out());
    while (m.find()) {
      // Rank percentiles of the candidates or targets, before -> after the attack.
      assertTrue(Double.parseDouble(m.group(3)) < Double.parseDouble(m.group(2)), m.group());
      caPlus |= m.group(1).equals("CA+");
      qaPlus |= m.group(1).equals("SP-QA+");
    }
    assertTrue(caPlus && qaPlus, "rank shifts of both attacks on the user's model:\n" + r.out());
    Matcher steps = STEPS.matcher(r.out());
    long last = 0;
    while (steps.find()) {
      last = Long.parseLong(steps.group(1));
    }
    assertTrue(last > 0, "EST steps on the user's model:\n" + r.out());
    Matcher bad = BAD_INPUT.matcher(r.out());
    String lastBad = "";
    while (bad.find()) {
      lastBad = bad.group();
    }
    // The corrupt file and the bomb, read by the attack-worker and the trainer (2 each at least;
    // queries may show them too); the 1.5 MB file never left the producer.
    Matcher invalid = Pattern.compile("catalog invalid (\\d+)").matcher(lastBad);
    assertTrue(invalid.find() && Integer.parseInt(invalid.group(1)) >= 2, lastBad);
    assertTrue(lastBad.contains("producer skipped: catalog too_large 1"), lastBad);
  }

  /**
   * A copy of the fixture's photos plus, within the demo's catalog (the first 80 files): a JPEG
   * that does not decode, a PNG header claiming 100,000 × 100,000 pixels, and a 700 × 700 PNG of
   * noise (about 1.5 MB, over Kafka's default message limit).
   */
  private Path photosWithBadOnes() {
    Path from = CliRun.RGB_FIXTURE.resolve("images");
    Path to = tmp.resolve("photos");
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : files.toList()) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
      Path test = to.resolve("test");
      Files.write(
          test.resolve("0-tshirt/zz-corrupt.jpg"),
          new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0, 1});
      Files.write(test.resolve("1-trouser/zz-bomb.png"), pngHeader(100_000, 100_000));
      BufferedImage noise = new BufferedImage(700, 700, BufferedImage.TYPE_INT_RGB);
      Random random = new Random(3);
      for (int y = 0; y < 700; y++) {
        for (int x = 0; x < 700; x++) {
          noise.setRGB(x, y, random.nextInt(1 << 24));
        }
      }
      ImageIO.write(noise, "png", test.resolve("2-pullover/zz-huge.png").toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return to;
  }

  /** A PNG signature and IHDR chunk (8-bit RGB, valid CRC) and no pixel data. */
  private static byte[] pngHeader(int width, int height) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
    ByteBuffer ihdr = ByteBuffer.allocate(17);
    ihdr.put("IHDR".getBytes(StandardCharsets.US_ASCII));
    ihdr.putInt(width).putInt(height).put(new byte[] {8, 2, 0, 0, 0});
    CRC32 crc = new CRC32();
    crc.update(ihdr.array());
    out.writeBytes(ByteBuffer.allocate(4).putInt(13).array());
    out.writeBytes(ihdr.array());
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    return out.toByteArray();
  }
}
