package io.advrank.core.data;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Optional;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * PNG and JPEG files as bytes: recognised by their signature, decoded with {@code javax.imageio}
 * under a pixel cap, and brought to a model's input with {@link Photos#fit}. Every path that reads
 * a photo (image folders, photos on the wire) goes through {@link #decode}, so a file gives the
 * same pixels wherever it is read.
 */
public final class PhotoFiles {
  /**
   * Most pixels a photo may decode to: 25 MP, e.g. a 6000×4000 camera photo. Decoding and fitting
   * hold about 16 bytes per pixel, so a small file whose header claims 100,000×100,000 pixels (a
   * decompression bomb) is refused from its header, before anything is allocated.
   */
  public static final long MAX_PIXELS = 25_000_000L;

  /** The photo formats read. */
  public enum Format {
    PNG,
    JPEG;

    /** The lower-case name, as {@code javax.imageio} and file extensions spell it. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10};

  private PhotoFiles() {}

  /** The format of {@code data} from its first bytes (the PNG signature, JPEG's SOI marker). */
  public static Optional<Format> sniff(byte[] data) {
    if (startsWith(data, PNG_SIGNATURE)) {
      return Optional.of(Format.PNG);
    }
    if (startsWith(data, new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF})) {
      return Optional.of(Format.JPEG);
    }
    return Optional.empty();
  }

  /**
   * Decodes a PNG or JPEG file held in memory.
   *
   * @param maxPixels the largest width × height accepted, checked on the header before decoding
   * @throws PhotoException if the bytes are not PNG or JPEG, the decoder fails on them, or the
   *     photo is larger than {@code maxPixels}
   */
  public static BufferedImage decode(byte[] data, long maxPixels) throws PhotoException {
    Format format =
        sniff(data)
            .orElseThrow(
                () ->
                    new PhotoException(
                        PhotoException.Problem.UNSUPPORTED_FORMAT,
                        "not a PNG or JPEG file (%d bytes starting %s)"
                            .formatted(data.length, hex(data, 4)),
                        null));
    Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format.label());
    if (!readers.hasNext()) {
      throw new IllegalStateException("this JDK has no " + format + " decoder");
    }
    ImageReader reader = readers.next();
    // A memory cache: ImageIO's default stream for a byte source may spill to temporary files.
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(data))) {
      reader.setInput(in, true, true);
      long width = reader.getWidth(0);
      long height = reader.getHeight(0);
      if (width * height > maxPixels) {
        throw new PhotoException(
            PhotoException.Problem.TOO_LARGE,
            "%s photo of %dx%d pixels (%.1f MP) is over the limit of %.1f MP"
                .formatted(format, width, height, width * height / 1e6, maxPixels / 1e6),
            null);
      }
      return reader.read(0);
    } catch (IOException | RuntimeException e) {
      // Some ImageIO decoders throw unchecked exceptions on corrupt data; both mean the same.
      throw new PhotoException(
          PhotoException.Problem.UNDECODABLE,
          "cannot decode the %s file (%d bytes): %s".formatted(format, data.length, e),
          e);
    } finally {
      reader.dispose();
    }
  }

  /**
   * The photo in {@code data} as {@code channels × height × width} bytes, fitted as {@link
   * Photos#fit} does, the decode capped at {@link #MAX_PIXELS}.
   *
   * @throws PhotoException as {@link #decode}
   */
  public static byte[] fit(byte[] data, int channels, int height, int width) throws PhotoException {
    return Photos.fit(decode(data, MAX_PIXELS), channels, height, width);
  }

  /**
   * A lossless PNG of {@code channels × height × width} 8-bit planes (channels 1: grey, 3: RGB), as
   * {@link Photos#fit} lays them out; decoding it with {@link #fit} at the same shape gives the
   * same bytes back.
   */
  public static byte[] png(byte[] planes, int channels, int height, int width) {
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException(
          "channels: PNG planes are 1 (grey) or 3 (RGB), not " + channels);
    }
    if ((long) channels * height * width != planes.length) {
      throw new IllegalArgumentException(
          "shape %dx%dx%d needs %d bytes, got %d"
              .formatted(channels, height, width, (long) channels * height * width, planes.length));
    }
    int n = height * width;
    BufferedImage image =
        new BufferedImage(
            width,
            height,
            channels == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int i = y * width + x;
        if (channels == 1) {
          image.getRaster().setSample(x, y, 0, planes[i] & 0xFF);
        } else {
          int rgb =
              (planes[i] & 0xFF) << 16 | (planes[n + i] & 0xFF) << 8 | planes[2 * n + i] & 0xFF;
          image.setRGB(x, y, rgb);
        }
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException("writing a PNG to memory failed", e);
    }
    return out.toByteArray();
  }

  private static boolean startsWith(byte[] data, byte[] prefix) {
    if (data.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (data[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static String hex(byte[] data, int max) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < Math.min(max, data.length); i++) {
      s.append("%02x".formatted(data[i] & 0xFF));
    }
    return s.isEmpty() ? "(empty)" : s.toString();
  }
}
