package io.advrank.core.model;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.Pair;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;

/**
 * A user's TorchScript module (what {@code torch.jit.trace}/{@code script} and {@code save} write)
 * as a {@link Network}: f(x) = normalise₂(module((x − mean) / std)). The module sees the input the
 * way it was trained (e.g. ImageNet-normalised), while attacks keep working on pixels in [0,1]; the
 * normalisation is part of the graph, so input gradients flow through it.
 *
 * <p>DJL runs a module's forward under libtorch's inference mode whenever it is called with {@code
 * training = false}, and then no gradient reaches the input. Attacks need the module in evaluation
 * mode (batch norm on running statistics) <em>with</em> gradients, so this class sets the module's
 * mode itself and calls the forward method with gradients allowed; the thread's grad mode (a
 * gradient collector, or {@link Autograd#disableOnThisThread}) decides whether a graph is built.
 */
final class ScriptedNetwork implements Network {
  private final PtSymbolBlock module;
  private final NDArray mean;
  private final NDArray std;
  private Boolean training; // the module's mode; null until first set

  private ScriptedNetwork(PtSymbolBlock module, NDArray mean, NDArray std) {
    this.module = module;
    this.mean = mean;
    this.std = std;
  }

  /**
   * Loads a TorchScript archive onto {@code manager}'s device; its parameters become trainable.
   *
   * @throws ModelException naming {@code source} when the bytes are not a TorchScript module
   */
  static ScriptedNetwork load(ModelSpec spec, byte[] bytes, NDManager manager, String source)
      throws ModelException {
    if (!isZip(bytes)) {
      throw new ModelException(
          source
              + ": not a TorchScript file (torch.jit.save writes a zip archive; this file is not"
              + " one)");
    }
    PtSymbolBlock module;
    try {
      module =
          JniUtils.loadModule((PtNDManager) manager, new ByteArrayInputStream(bytes), true, false);
    } catch (EngineException | IOException e) {
      throw new ModelException(
          source
              + ": not a TorchScript module ("
              + firstLine(e.getMessage())
              + "); save it with torch.jit.save(torch.jit.trace(model, example), path), not"
              + " torch.save",
          e);
    }
    NDArray mean = null;
    NDArray std = null;
    if (spec.normalises()) {
      Shape perChannel = new Shape(1, spec.channels(), 1, 1);
      mean = manager.create(toFloats(spec.mean()), perChannel);
      std = manager.create(toFloats(spec.std()), perChannel);
    }
    ScriptedNetwork network = new ScriptedNetwork(module, mean, std);
    network.freezeParameters(false);
    return network;
  }

  @Override
  public NDArray forward(NDArray x, boolean training) {
    mode(training);
    return normalise(single(IValueUtils.forward(module, new NDList(prepare(x)), true)));
  }

  @Override
  public NDArray inference(NDArray x) {
    mode(false);
    return normalise(single(IValueUtils.forward(module, new NDList(prepare(x)), false)));
  }

  /** The module's raw output, before the L2 normalisation (the import checks it). */
  NDList raw(NDArray x) {
    mode(false);
    return IValueUtils.forward(module, new NDList(prepare(x)), true);
  }

  @Override
  public Iterable<Pair<String, Parameter>> parameters() {
    return module.getParameters();
  }

  @Override
  public void freezeParameters(boolean freeze) {
    module.freezeParameters(freeze);
  }

  /** The module as TorchScript, with its current parameters and buffers; {@code dtype} unused. */
  @Override
  public byte[] encode(DataType dtype) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    JniUtils.writeModule(module, out, false);
    return out.toByteArray();
  }

  @Override
  public String weightsFileName() {
    return "model.pt";
  }

  @Override
  public void close() {
    module.close();
  }

  private synchronized void mode(boolean train) {
    // DJL's switch for TorchScript's graph optimiser (per thread), off unless asked for: its
    // profiling passes re-specialise on every new batch shape, and attacks with it off were as
    // fast or faster in every measurement (CPU, 32-px fixture at batch 8: 1,910 against 1,433
    // image-steps/s; H200, ResNet-18 at batch 32: 2,725 against 2,253; docs/gpu-proof-*.log).
    JniUtils.setGraphExecutorOptimize(
        Boolean.parseBoolean(System.getProperty("ai.djl.pytorch.graph_optimizer", "false")));
    if (training == null || training != train) {
      if (train) {
        JniUtils.enableTrainingMode(module);
      } else {
        JniUtils.enableInferenceMode(module);
      }
      training = train;
    }
  }

  private NDArray prepare(NDArray x) {
    return mean == null ? x : x.sub(mean).div(std);
  }

  private static NDArray single(NDList out) {
    if (out.size() != 1) {
      throw new IllegalStateException(
          "the module returned " + out.size() + " tensors, not one embedding per image");
    }
    return out.get(0);
  }

  private static NDArray normalise(NDArray e) {
    // d(a, b) = 1 - <f(a), f(b)> needs unit vectors; users' modules rarely normalise themselves.
    return e.normalize(2, 1, 1e-12);
  }

  private static boolean isZip(byte[] bytes) {
    return bytes.length >= 4
        && bytes[0] == 'P'
        && bytes[1] == 'K'
        && bytes[2] == 3
        && bytes[3] == 4;
  }

  private static float[] toFloats(List<Double> values) {
    float[] f = new float[values.size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = values.get(i).floatValue();
    }
    return f;
  }

  static String firstLine(String message) {
    if (message == null) {
      return "no message";
    }
    String line = message.strip().lines().findFirst().orElse("");
    return line.length() > 200 ? line.substring(0, 200) + "…" : line;
  }
}
