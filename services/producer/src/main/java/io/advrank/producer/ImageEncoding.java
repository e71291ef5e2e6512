package io.advrank.producer;

import io.advrank.runtime.settings.SettingsException;
import java.util.Arrays;
import java.util.Locale;

/** How the producer puts an image on the wire (setting {@code image.encoding}). */
public enum ImageEncoding {
  /**
   * As the uploader has it: a photo folder's files byte for byte (PNG or JPEG, any size; the
   * services fit them to their model), an IDX data set's 8-bit pixels. The default.
   */
  SOURCE,
  /** 8-bit pixels at {@code image.shape} (photos decoded and fitted first). */
  RAW,
  /** A lossless PNG of the 8-bit pixels at {@code image.shape}. */
  PNG;

  /** The setting's spelling, e.g. {@code source}. */
  public String text() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses the setting; the message names {@code key} and the accepted values. */
  static ImageEncoding parse(String key, String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new SettingsException(
          "setting '%s' has bad value '%s': expected one of %s"
              .formatted(key, text, Arrays.stream(values()).map(ImageEncoding::text).toList()));
    }
  }
}
