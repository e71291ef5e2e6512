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

  /**
   * The RGB fixture: a small TorchScript embedding model for 3×32×32 ImageNet-normalised input
   * ({@code model.pt}), the embeddings PyTorch computes for a probe batch ({@code reference.json}),
   * photos of varying size and background under {@code images/{train,test}/<label>/}, and modules
   * the import must refuse under {@code bad/}; made by {@code src/test/python/make_rgb_fixture.py}.
   */
  public static Path rgbMini() {
    return resource("/fixtures/rgb-mini");
  }

  /**
   * TorchScript modules for {@code EmbeddingModel.toNative} (1×4×4 inputs, 16-d, random weights):
   * {@code rc2f2.pt} has robrank's rc2f2 layers, {@code c2f1-tanh.pt} the C2F1's parameter shapes
   * with another function; made by {@code src/test/python/make_rc2f2_fixture.py}.
   */
  public static Path rc2f2Mini() {
    return resource("/fixtures/rc2f2-mini");
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
