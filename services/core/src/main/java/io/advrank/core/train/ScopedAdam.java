package io.advrank.core.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.optimizer.Adam;
import java.util.Map;
import java.util.function.Function;

/**
 * DJL's Adam with its state in a manager: the moment estimates (two arrays the size of each weight)
 * live in a sub-manager of the model's and are freed with the model. DJL's optimizers detach their
 * state from every manager and have no {@code close}, so the state of a trainer that was dropped
 * stayed in native memory for good: 26 MB for the 28×28 C2F1 each time the defense-trainer reset
 * its candidate (docs/soak.md). Confined to the training thread.
 */
final class ScopedAdam extends Adam {
  private final NDManager state;

  ScopedAdam(Adam.Builder builder, NDManager modelManager) {
    super(builder);
    this.state = modelManager.newSubManager();
  }

  @Override
  protected NDArray withDefaultState(
      Map<String, Map<Device, NDArray>> states,
      String key,
      Device device,
      Function<String, NDArray> defaultFunction) {
    NDArray s = super.withDefaultState(states, key, device, defaultFunction);
    if (s.getManager() != state) {
      s.attach(state); // a new state array, detached by DJL
    }
    return s;
  }
}
