package io.advrank.producer;

import io.advrank.runtime.settings.SettingsException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shape catalog and query photos are sent at: the served model's input, channels × height ×
 * width.
 *
 * @param channels 1 (grey) or 3 (RGB)
 * @param height pixels
 * @param width pixels
 */
public record ImageShape(int channels, int height, int width) {
  /** Fashion-MNIST's, the default. */
  public static final ImageShape FASHION_MNIST = new ImageShape(1, 28, 28);

  private static final Pattern TEXT = Pattern.compile("(\\d{1,5})x(\\d{1,5})x(\\d{1,5})");

  public ImageShape {
    if ((channels != 1 && channels != 3) || height < 1 || width < 1) {
      throw new IllegalArgumentException(
          "image shape: channels must be 1 or 3 and sizes >= 1, was "
              + text(channels, height, width));
    }
  }

  /** Parses {@code CxHxW}; the message names {@code key} and the accepted form. */
  public static ImageShape parse(String key, String text) {
    Matcher m = TEXT.matcher(text.trim().toLowerCase(Locale.ROOT));
    try {
      if (m.matches()) {
        return new ImageShape(
            Integer.parseInt(m.group(1)),
            Integer.parseInt(m.group(2)),
            Integer.parseInt(m.group(3)));
      }
    } catch (IllegalArgumentException e) {
      throw new SettingsException("setting '" + key + "': " + e.getMessage());
    }
    throw new SettingsException(
        "setting '" + key + "' has bad value '" + text + "': expected CxHxW, e.g. 3x224x224");
  }

  /** {@code CxHxW}. */
  public String text() {
    return text(channels, height, width);
  }

  private static String text(int c, int h, int w) {
    return c + "x" + h + "x" + w;
  }
}
