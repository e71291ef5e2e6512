package io.advrank.core.model;

import ai.djl.Device;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a user's TorchScript embedding network into a model directory every advrank command and
 * service opens: the file is copied unchanged as {@code model.pt} beside a manifest that records
 * the input shape, the normalisation, the embedding size found by a probe forward pass, the
 * distance and the file's sha256.
 *
 * <p>Before writing anything it checks, in this order, that the file is TorchScript, that the
 * module accepts the declared input shape, that it returns one finite embedding per image, and that
 * a gradient reaches its input (every attack needs ∂f/∂x). Each refusal is one line naming the
 * problem.
 */
public final class ModelImport {
  /** Images in the probe batch: two, so a module that mixes or drops batch rows is caught. */
  private static final int PROBE = 2;

  private ModelImport() {}

  /**
   * What the user declares about the module.
   *
   * @param channels input channels (3 for RGB photos, 1 for grey)
   * @param height input height in pixels
   * @param width input width in pixels
   * @param mean per-channel mean the module expects subtracted from pixels in [0,1], or empty
   * @param std per-channel standard deviation, or empty
   * @param distance the ranking distance ({@value ModelSpec#COSINE})
   * @param version the version id to record, or {@code null} for {@code <file name>-<sha256[:12]>}
   */
  public record Options(
      int channels,
      int height,
      int width,
      List<Double> mean,
      List<Double> std,
      String distance,
      String version) {}

  /**
   * Checks {@code file} and writes the model directory {@code out}; returns its manifest.
   *
   * @throws ModelException with a one-line reason when the file cannot be used
   */
  public static ModelManifest run(Path file, Options options, Path out, Device device)
      throws ModelException {
    byte[] bytes = read(file);
    String source = file.toString();
    // The embedding size is unknown until the probe; 1 passes the spec's checks meanwhile.
    ModelSpec declared = spec(options, 1);
    NDManager manager = NDManager.newBaseManager(device);
    try (manager) {
      ScriptedNetwork network = ScriptedNetwork.load(declared, bytes, manager, source);
      try (network) {
        int dim = probe(network, declared, manager, source);
        ModelSpec spec = spec(options, dim);
        long parameters = count(network);
        requireInputGradient(network, spec, manager, source);
        return write(file, bytes, out, options, spec, parameters);
      }
    }
  }

  /** Runs a probe batch; returns the embedding size, or refuses a module that does not embed. */
  private static int probe(
      ScriptedNetwork network, ModelSpec spec, NDManager manager, String source)
      throws ModelException {
    try (NDManager step = manager.newSubManager()) {
      Autograd.disableOnThisThread();
      NDList out;
      try {
        out = network.raw(probeBatch(step, spec));
      } catch (EngineException e) {
        throw new ModelException(
            source
                + ": the module rejects input "
                + shape(spec)
                + " ("
                + reason(e.getMessage())
                + "); pass the shape it was traced with as --input CxHxW");
      }
      if (out.size() != 1) {
        throw new ModelException(
            source
                + ": the module returns "
                + out.size()
                + " tensors; advrank needs one embedding per image (a single (batch, d) tensor)");
      }
      NDArray e = out.get(0);
      long[] s = e.getShape().getShape();
      if (s.length != 2 || s[0] != PROBE || s[1] < 1) {
        throw new ModelException(
            source
                + ": for a batch of "
                + PROBE
                + " images the module returns shape "
                + e.getShape()
                + ", not one embedding per image ("
                + PROBE
                + ", d)");
      }
      requireFinite(e.toType(DataType.FLOAT32, false).toFloatArray(), source);
      return Math.toIntExact(s[1]);
    }
  }

  /** Refuses a module through which no gradient reaches the input. */
  private static void requireInputGradient(
      ScriptedNetwork network, ModelSpec spec, NDManager manager, String source)
      throws ModelException {
    try (NDManager step = manager.newSubManager()) {
      NDArray x = probeBatch(step, spec);
      x.setRequiresGradient(true);
      network.freezeParameters(true);
      float[] g;
      try (GradientCollector gc = GradientLane.open()) {
        NDArray e = network.forward(x, false);
        // A fixed direction: the gradient of a plain sum of unit vectors can vanish by symmetry.
        NDArray direction = step.randomNormal(e.getShape());
        gc.backward(e.mul(direction).sum());
        NDArray grad = x.getGradient();
        g = grad == null ? new float[0] : grad.toFloatArray();
      } catch (EngineException e) {
        throw new ModelException(
            source
                + ": no gradient reaches the input ("
                + reason(e.getMessage())
                + "); the attacks need ∂f/∂x: does the module detach its input or run under"
                + " torch.no_grad()?");
      } finally {
        network.freezeParameters(false);
      }
      boolean any = false;
      for (float v : g) {
        if (!Float.isFinite(v)) {
          throw new ModelException(source + ": the gradient to the input holds NaN or Inf");
        }
        any |= v != 0;
      }
      if (g.length == 0 || !any) {
        throw new ModelException(
            source
                + ": the gradient to the input is zero everywhere; the attacks need ∂f/∂x (does the"
                + " module detach its input or round it?)");
      }
    }
  }

  private static ModelManifest write(
      Path file, byte[] bytes, Path out, Options options, ModelSpec spec, long parameters)
      throws ModelException {
    String sha = WeightsCodec.sha256(bytes);
    String version =
        options.version() != null ? options.version() : stem(file) + "-" + sha.substring(0, 12);
    ModelManifest manifest =
        new ModelManifest(
            ModelManifest.FORMAT_VERSION,
            version,
            null,
            spec,
            parameters,
            "model.pt",
            "torchscript",
            sha,
            Instant.now().toString(),
            Map.of("source", file.getFileName().toString(), "command", "advrank models import"),
            Map.of(),
            null);
    try {
      Files.createDirectories(out);
      Files.write(out.resolve(manifest.weightsFile()), bytes);
      Files.writeString(out.resolve(ModelManifest.FILE_NAME), manifest.toJson());
    } catch (IOException e) {
      throw new ModelException(out + ": cannot write the model directory (" + e + ")", e);
    }
    return manifest;
  }

  private static ModelSpec spec(Options o, int embeddingSize) throws ModelException {
    try {
      return new ModelSpec(
          ModelSpec.TORCHSCRIPT,
          embeddingSize,
          o.channels(),
          o.height(),
          o.width(),
          o.mean(),
          o.std(),
          o.distance());
    } catch (IllegalArgumentException e) {
      throw new ModelException(e.getMessage(), e);
    }
  }

  /** Pixel i of the flattened batch is (i mod 255) / 255: deterministic, in [0,1], not flat. */
  private static NDArray probeBatch(NDManager m, ModelSpec spec) {
    float[] pixels = new float[PROBE * spec.imageSize()];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (i % 255) / 255f;
    }
    return m.create(pixels, EmbeddingModel.inputShape(spec, PROBE));
  }

  private static long count(ScriptedNetwork network) {
    long n = 0;
    for (var p : network.parameters()) {
      n += p.getValue().getArray().size();
    }
    return n;
  }

  private static void requireFinite(float[] values, String source) throws ModelException {
    for (float v : values) {
      if (!Float.isFinite(v)) {
        throw new ModelException(
            source + ": the module's output holds NaN or Inf for a probe batch of pixels in [0,1]");
      }
    }
  }

  private static byte[] read(Path file) throws ModelException {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ModelException(file + ": not found");
    } catch (IOException e) {
      throw new ModelException(file + ": cannot read (" + e.getMessage() + ")", e);
    }
  }

  private static String shape(ModelSpec spec) {
    return spec.channels() + "x" + spec.height() + "x" + spec.width();
  }

  /** The line of a libtorch error that says what went wrong, not where. */
  static String reason(String message) {
    if (message == null) {
      return "no message";
    }
    String line =
        message
            .lines()
            .map(String::strip)
            .filter(l -> l.contains("Error:"))
            .reduce((first, second) -> second)
            .orElse(ScriptedNetwork.firstLine(message));
    return line.length() > 240 ? line.substring(0, 240) + "…" : line;
  }

  private static String stem(Path file) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return (dot > 0 ? name.substring(0, dot) : name).toLowerCase(Locale.ROOT);
  }
}
