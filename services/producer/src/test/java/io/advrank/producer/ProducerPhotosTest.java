package io.advrank.producer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.core.data.PhotoFiles;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.PhotoFormat;
import io.advrank.proto.v1.Pixels;
import io.advrank.runtime.settings.KafkaSettings;
import io.advrank.runtime.topic.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A photo folder on the wire: files as they are, re-encoded at the model's input, too large. */
class ProducerPhotosTest {
  @TempDir Path tmp;

  private ProducerSettings settings(ImageEncoding encoding) {
    return new ProducerSettings(
        tmp,
        0,
        0,
        10,
        1,
        Duration.ZERO,
        false,
        1,
        "p-0",
        0,
        new KafkaSettings("h:1", (short) 1),
        new ImageShape(3, 8, 8),
        encoding);
  }

  private List<ImageEvent> catalog(ProducerSettings settings, SimpleMeterRegistry registry)
      throws Exception {
    TestClock clock = new TestClock(1_000);
    MockProducer<String, ImageEvent> producer =
        new MockProducer<>(
            true,
            null,
            Topics.CATALOG.keySerde().serializer(),
            Topics.CATALOG.valueSerde().serializer());
    Uploads.Loaded images = Uploads.load(settings);
    try (ProducerService service =
        new ProducerService(
            settings, images.uploads(), images.name(), producer, clock, clock::advance, registry)) {
      service.start();
      assertTrue(service.awaitCompletion(Duration.ofSeconds(10)), "schedule finished");
      assertTrue(service.failure().isEmpty(), () -> "failed: " + service.failure());
      return producer.history().stream()
          .filter(r -> r.topic().equals(Topics.CATALOG.name()))
          .map(ProducerRecord::value)
          .toList();
    }
  }

  @Test
  void sendsAPhotoFoldersFilesAsTheyAreAndSkipsOneOverTheMessageLimit() throws Exception {
    Path jpeg = write("bag/a.jpg", image(40, 30, 0x804020), "jpeg");
    Path png = write("shoe/b.png", image(12, 12, 0x2040F0), "png");
    // 700x700 of noise: a PNG of ~1.5 MB, over Kafka's 1 MB default.
    Path huge = write("shoe/c.png", noise(700, 700), "png");
    Files.write(tmp.resolve("shoe/d.png"), new byte[] {1, 2, 3}); // sent: the services refuse it
    SimpleMeterRegistry registry = new SimpleMeterRegistry();

    List<ImageEvent> sent = catalog(settings(ImageEncoding.SOURCE), registry);

    assertEquals(
        List.of("item-0", "item-1", "item-3"), sent.stream().map(e -> e.getItemId()).toList());
    assertEncoded(sent.get(0), PhotoFormat.PHOTO_FORMAT_JPEG, Files.readAllBytes(jpeg));
    assertEncoded(sent.get(1), PhotoFormat.PHOTO_FORMAT_PNG, Files.readAllBytes(png));
    assertEncoded(sent.get(2), PhotoFormat.PHOTO_FORMAT_UNSPECIFIED, new byte[] {1, 2, 3});
    assertEquals(List.of(0, 1, 1), sent.stream().map(ImageEvent::getLabel).toList());
    assertTrue(Files.size(huge) > ProducerClients.MAX_REQUEST_BYTES, "the fixture is too large");
    assertEquals(
        1.0,
        registry
            .get("advrank.events.refused")
            .tag("topic", Topics.CATALOG.name())
            .tag("reason", "too_large")
            .counter()
            .count());
  }

  @Test
  void pngSendsThePhotosFittedToTheModelsInputLosslessly() throws Exception {
    write("bag/a.jpg", image(40, 30, 0x804020), "jpeg");
    write("shoe/b.png", noise(700, 700), "png");

    List<ImageEvent> sent = catalog(settings(ImageEncoding.PNG), new SimpleMeterRegistry());

    assertEquals(2, sent.size(), "fitted to 3x8x8, the large photo fits the limit");
    Uploads.Loaded raw = Uploads.load(settings(ImageEncoding.RAW));
    for (int i = 0; i < sent.size(); i++) {
      Pixels p = sent.get(i).getPixels();
      assertEquals(PhotoFormat.PHOTO_FORMAT_PNG, p.getEncoded().getFormat());
      assertEquals(List.of(3, 8, 8), List.of(p.getChannels(), p.getHeight(), p.getWidth()));
      assertArrayEquals(
          raw.uploads().pixels(i).getUint8().toByteArray(),
          PhotoFiles.fit(p.getEncoded().getData().toByteArray(), 3, 8, 8));
    }
  }

  private static void assertEncoded(ImageEvent e, PhotoFormat format, byte[] file) {
    assertEquals(Pixels.DataCase.ENCODED, e.getPixels().getDataCase());
    assertEquals(format, e.getPixels().getEncoded().getFormat());
    assertArrayEquals(file, e.getPixels().getEncoded().getData().toByteArray());
  }

  private Path write(String name, BufferedImage image, String format) throws Exception {
    Path file = tmp.resolve(name);
    Files.createDirectories(file.getParent());
    assertTrue(ImageIO.write(image, format, file.toFile()));
    return file;
  }

  private static BufferedImage image(int width, int height, int rgb) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.setRGB(x, y, rgb);
      }
    }
    return image;
  }

  private static BufferedImage noise(int width, int height) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Random random = new Random(7);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.setRGB(x, y, random.nextInt(1 << 24));
      }
    }
    return image;
  }
}
