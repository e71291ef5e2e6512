package io.advrank.core.data;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** Locates committed test fixtures on the test classpath. */
public final class Fixtures {
  private Fixtures() {}

  /**
   * The Fashion-MNIST subset in the standard IDX layout: 2000 training and 1000 test images,
   * class-balanced (see its README.md).
   */
  public static Path fashionMnistMini() {
    return resource("/fixtures/fashion-mnist-mini");
  }

  private static Path resource(String name) {
    URL url = Fixtures.class.getResource(name);
    if (url == null) {
      throw new IllegalStateException("test fixture " + name + " is not on the classpath");
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
