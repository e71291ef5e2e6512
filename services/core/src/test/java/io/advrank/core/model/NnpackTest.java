package io.advrank.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

/** libtorch's NNPACK switch is reached, and it is off exactly where NNPACK cannot run. */
class NnpackTest {
  @Test
  void nnpackIsOffOnlyWhereItCannotRun() {
    try (EmbeddingModel model = EmbeddingModel.create(ModelSpec.c2f1(1, 28, 28), 1, Device.cpu())) {
      assertEquals(!Nnpack.offWhereUnsupported(), Nnpack.enabled());
    }
  }
}
