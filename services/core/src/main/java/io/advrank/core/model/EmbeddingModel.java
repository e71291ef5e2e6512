package io.advrank.core.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.advrank.core.data.ImageDataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * An embedding network f with its weights, opened once and closed when done. It maps images with
 * pixels in [0,1] to L2-normalised embeddings; the cosine distance between two images is d(a, b) =
 * 1 − ⟨f(a), f(b)⟩.
 *
 * <p>Java arrays in, Java arrays out ({@link #embed}); {@link #forward} is the one engine-level
 * entry, for code in {@code core} that needs gradients (training, attacks).
 */
public final class EmbeddingModel implements AutoCloseable {
  /** Images per forward pass when embedding a whole dataset of small images. */
  public static final int EMBED_BATCH = 256;

  /**
   * Input values per forward pass when embedding a dataset (16 MiB of floats): large images go in
   * fewer at a time. A ResNet-18 took 7.3 GB of resident memory to embed a 2000-photo gallery of
   * 224-px photos 256 at a time (conv 1's output alone is 822 MB at that batch, and the launcher's
   * allocator settings keep the peak); 27 at a time, 1.27 GB for 600 photos where 256 took 6.2 GB,
   * and no slower (docs/user-model.md).
   */
  static final int EMBED_VALUES = 1 << 22;

  /** Random images {@link #toNative} embeds with both networks. */
  public static final int CONVERSION_CHECK_IMAGES = 256;

  /**
   * Largest difference of an embedding value {@link #toNative} allows: converted, the same kernels
   * run on the same weights (0.0 measured on the trained rc2f2); a different function differs by
   * ~0.1.
   */
  public static final double CONVERSION_TOLERANCE = 1e-4;

  private final ModelSpec spec;
  private final NDManager manager;
  private final Network network;
  private volatile ModelManifest manifest;

  private EmbeddingModel(
      ModelSpec spec, NDManager manager, Network network, ModelManifest manifest) {
    Nnpack.offWhereUnsupported();
    this.spec = spec;
    this.manager = manager;
    this.network = network;
    this.manifest = manifest;
  }

  /**
   * A freshly initialised native network (C2F1 or rc2f2); {@code seed} fixes the initial weights.
   * TorchScript models come only from files ({@link #load}, {@link ModelImport}).
   */
  public static EmbeddingModel create(ModelSpec spec, long seed, Device device) {
    if (!ModelSpec.isNative(spec.architecture())) {
      throw new IllegalArgumentException(
          "architecture: only "
              + ModelSpec.C2F1
              + " and "
              + ModelSpec.RC2F2
              + " can be created here, not "
              + spec.describe());
    }
    Engine.getInstance().setRandomSeed((int) seed);
    NDManager manager = NDManager.newBaseManager(device);
    return new EmbeddingModel(spec, manager, C2F1Network.create(spec, manager), null);
  }

  /** Opens a model directory, verifying its manifest and the sha256 of its weights. */
  public static EmbeddingModel load(Path dir, Device device) throws ModelException {
    ModelManifest manifest = ModelManifest.read(dir);
    Path weightsFile = dir.resolve(manifest.weightsFile());
    byte[] weights;
    try {
      weights = WeightsFiles.read(dir, manifest.weightsFile());
    } catch (NoSuchFileException e) {
      throw new ModelException(
          weightsFile + ": not found; is " + dir + " a model directory (manifest.json + weights)?");
    } catch (IOException e) {
      throw new ModelException(weightsFile + ": cannot read (" + e.getMessage() + ")", e);
    }
    return load(manifest, weights, weightsFile.toString(), device);
  }

  /**
   * Opens a model from its manifest and weights bytes (e.g. reassembled from Kafka), verifying the
   * sha256 of the weights against the manifest; {@code source} names where they came from in
   * errors.
   */
  public static EmbeddingModel load(
      ModelManifest manifest, byte[] weights, String source, Device device) throws ModelException {
    String sha = WeightsCodec.sha256(weights);
    if (!sha.equals(manifest.weightsSha256())) {
      throw new ModelException(
          source
              + ": sha256 "
              + sha.substring(0, 12)
              + "… does not match the manifest's "
              + abbreviate(manifest.weightsSha256())
              + ": the weights were changed or damaged; re-copy or retrain the model");
    }
    NDManager manager = NDManager.newBaseManager(device);
    try {
      return new EmbeddingModel(
          manifest.spec(), manager, open(manifest.spec(), weights, manager, source), manifest);
    } catch (ModelException | RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /**
   * The network of {@code spec}'s architecture with {@code weights} loaded into {@code manager}.
   */
  static Network open(ModelSpec spec, byte[] weights, NDManager manager, String source)
      throws ModelException {
    return switch (spec.architecture()) {
      case ModelSpec.TORCHSCRIPT -> ScriptedNetwork.load(spec, weights, manager, source);
      case ModelSpec.ENSEMBLE -> EnsembleNetwork.load(spec, weights, manager, source);
      default -> C2F1Network.load(spec, weights, manager, source);
    };
  }

  /**
   * {@code members} joined into one model ({@link ModelSpec#ENSEMBLE}): f(x) is their embeddings
   * side by side over √k, so the cosine similarity of two images is the mean of the members'. It is
   * ranked, attacked and trained as one network; where the members' errors differ, the mean ranks
   * better than either. Its weights are copies (the members stay open); no manifest until saved.
   *
   * @throws IllegalArgumentException for fewer than two members, a member that is not a native
   *     network (a TorchScript model, or an ensemble: join its members instead), or members for
   *     different input shapes, naming the member
   */
  public static EmbeddingModel ensemble(List<EmbeddingModel> members) {
    if (members.size() < 2) {
      throw new IllegalArgumentException(
          "members: an ensemble needs at least 2 models, got " + members.size());
    }
    ModelSpec first = members.get(0).spec;
    List<Pair<String, Parameter>> parameters = new ArrayList<>();
    int embedding = 0;
    for (int i = 0; i < members.size(); i++) {
      EmbeddingModel m = members.get(i);
      if (!(m.network instanceof C2F1Network)) {
        throw new IllegalArgumentException(
            m.version()
                + " is "
                + m.describe()
                + ": only native networks join an ensemble (advrank models convert a TorchScript"
                + " one first; give an ensemble's members instead of the ensemble)");
      }
      if (m.spec.channels() != first.channels()
          || m.spec.height() != first.height()
          || m.spec.width() != first.width()) {
        throw new IllegalArgumentException(
            m.version()
                + " is "
                + m.spec.describe()
                + ", "
                + members.get(0).version()
                + " is "
                + first.describe()
                + ": an ensemble's members take one input shape");
      }
      for (Pair<String, Parameter> p : m.network.parameters()) {
        parameters.add(new Pair<>("member" + (i + 1) + "_" + p.getKey(), p.getValue()));
      }
      embedding += m.spec.embeddingSize();
    }
    ModelSpec spec =
        new ModelSpec(
            ModelSpec.ENSEMBLE, embedding, first.channels(), first.height(), first.width());
    byte[] weights = WeightsCodec.encode(parameters, DataType.FLOAT32);
    NDManager manager = NDManager.newBaseManager(members.get(0).device());
    try {
      return new EmbeddingModel(
          spec, manager, EnsembleNetwork.load(spec, weights, manager, "ensemble"), null);
    } catch (ModelException e) {
      manager.close();
      throw new IllegalStateException("native members always form an ensemble", e);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /**
   * This TorchScript model as advrank's own {@code architecture} ({@link ModelSpec#RC2F2}, {@link
   * ModelSpec#C2F1}), when the module's parameters are that network's in order and shape, as those
   * of robrank's rc2f2 exported by {@code models/examples/export_rc2f2.py} are (at any widths: the
   * filters and hidden units are read from the module's shapes): the same function, run by the
   * native network's faster layers and saved as an NDList (float16 halves the file). The new model
   * has no manifest until it is saved; this one stays open.
   *
   * @throws ModelException naming the first parameter that does not fit, or when the two embed
   *     {@value #CONVERSION_CHECK_IMAGES} random images differently (by more than {@value
   *     #CONVERSION_TOLERANCE} in a value): the module has the shapes but not the function
   */
  public EmbeddingModel toNative(String architecture) throws ModelException {
    if (!ModelSpec.TORCHSCRIPT.equals(spec.architecture())) {
      throw new IllegalArgumentException(
          "model: " + spec.describe() + " is native already; only a TorchScript model converts");
    }
    if (!ModelSpec.isNative(architecture)) {
      throw new IllegalArgumentException(
          "architecture: '"
              + architecture
              + "' is not native (accepted: "
              + ModelSpec.C2F1
              + ", "
              + ModelSpec.RC2F2
              + ")");
    }
    if (spec.normalises()) {
      throw new ModelException(
          version()
              + " normalises its input (mean "
              + spec.mean()
              + ", std "
              + spec.std()
              + "); advrank's native networks take pixels in [0,1] as they are");
    }
    ModelSpec target =
        new ModelSpec(
            architecture, spec.embeddingSize(), spec.channels(), spec.height(), spec.width());
    NDManager targetManager = NDManager.newBaseManager(device());
    EmbeddingModel converted;
    try {
      converted =
          new EmbeddingModel(
              target,
              targetManager,
              C2F1Network.copyOf(target, network.parameters(), targetManager, version()),
              null);
    } catch (ModelException | RuntimeException e) {
      targetManager.close();
      throw e;
    }
    double difference = maxDifference(converted, CONVERSION_CHECK_IMAGES);
    if (!(difference <= CONVERSION_TOLERANCE)) {
      converted.close();
      throw new ModelException(
          String.format(
              Locale.ROOT,
              "%s: its module computes another function than %s with the same weights (max"
                  + " |difference| %.3g in an embedding of %d random images, allowed %.0e)",
              version(),
              architecture,
              difference,
              CONVERSION_CHECK_IMAGES,
              CONVERSION_TOLERANCE));
    }
    return converted;
  }

  /**
   * The uniform average of {@code members}' weights, value by value: a "model soup" of native
   * networks of one spec, e.g. one model fine-tuned several times under other seeds. Averaging
   * works where the members lie in one basin (fine-tunes of a common start); {@link
   * #relativeDistance} says how far apart they are. The new model has no manifest until it is
   * saved; the members stay open.
   *
   * @throws IllegalArgumentException for fewer than two members, a TorchScript member, or members
   *     of different specs or widths, naming the member
   */
  public static EmbeddingModel average(List<EmbeddingModel> members) {
    double[] uniform = new double[members.size()];
    Arrays.fill(uniform, 1);
    return average(members, uniform);
  }

  /**
   * The weighted average of {@code members}' weights, value by value, each member's share its
   * weight over the weights' sum: between a model and its fine-tune, the point {@code (1 − a, a)}
   * of the straight line through their weights (WiSE-FT's interpolation), where {@link
   * #average(List)} gives only the midpoint.
   *
   * @throws IllegalArgumentException as {@link #average(List)} does, and for weights that are not
   *     one per member, negative, or all zero
   */
  public static EmbeddingModel average(List<EmbeddingModel> members, double[] weights) {
    if (members.size() < 2) {
      throw new IllegalArgumentException(
          "members: averaging needs at least 2 models, got " + members.size());
    }
    double[] shares = shares(weights, members.size(), "weights");
    EmbeddingModel first = members.get(0);
    for (EmbeddingModel m : members) {
      if (!ModelSpec.isNative(m.spec.architecture())) {
        throw new IllegalArgumentException(
            m.version()
                + " is "
                + m.spec.describe()
                + (ModelSpec.ENSEMBLE.equals(m.spec.architecture())
                    ? ": an ensemble does not average (average its members, then join them)"
                    : ": only native networks average (advrank models convert it first)"));
      }
      if (!m.spec.equals(first.spec)) {
        throw new IllegalArgumentException(
            m.version()
                + " is "
                + m.spec.describe()
                + ", "
                + first.version()
                + " is "
                + first.spec.describe()
                + ": only models of one architecture and shape average");
      }
      if (!m.widths().equals(first.widths())) {
        throw new IllegalArgumentException(
            m.version()
                + " has "
                + m.widths().describe()
                + ", "
                + first.version()
                + " "
                + first.widths().describe()
                + ": only models of one width average");
      }
    }
    NDManager target = NDManager.newBaseManager(first.device());
    try {
      C2F1Network network = C2F1Network.create(first.spec, first.widths(), target);
      List<List<NDArray>> arrays = new ArrayList<>();
      for (EmbeddingModel m : members) {
        arrays.add(arraysOf(m.network.parameters()));
      }
      List<NDArray> out = arraysOf(network.parameters());
      for (int i = 0; i < out.size(); i++) {
        double[] sum = new double[Math.toIntExact(out.get(i).size())];
        for (int k = 0; k < arrays.size(); k++) {
          float[] values = float32Values(arrays.get(k).get(i));
          for (int j = 0; j < sum.length; j++) {
            sum[j] += shares[k] * values[j];
          }
        }
        float[] mean = new float[sum.length];
        for (int j = 0; j < sum.length; j++) {
          mean[j] = (float) sum[j];
        }
        out.get(i).set(mean);
      }
      return new EmbeddingModel(first.spec, target, network, null);
    } catch (RuntimeException e) {
      target.close();
      throw e;
    }
  }

  /**
   * Each of {@code members} models' share of an average: its weight over the weights' sum.
   *
   * @param option the weights' name in errors, e.g. a CLI option
   * @throws IllegalArgumentException for weights that are not one per member, negative, not finite,
   *     or all zero, naming {@code option}
   */
  public static double[] shares(double[] weights, int members, String option) {
    if (weights.length != members) {
      throw new IllegalArgumentException(
          option + ": one per model, got " + weights.length + " for " + members + " models");
    }
    double total = 0;
    for (double w : weights) {
      if (!(w >= 0) || Double.isInfinite(w)) {
        throw new IllegalArgumentException(option + ": each must be >= 0 and finite, got " + w);
      }
      total += w;
    }
    if (total == 0) {
      throw new IllegalArgumentException(option + ": at least one must be > 0");
    }
    double[] shares = new double[members];
    for (int i = 0; i < members; i++) {
      shares[i] = weights[i] / total;
    }
    return shares;
  }

  /**
   * ‖w − w'‖ / ‖w'‖ over every weight of this model (w) and {@code other} (w'), which must be of
   * one spec: 0 for the same weights; how far a soup's members lie from their average.
   */
  public double relativeDistance(EmbeddingModel other) {
    if (!spec.equals(other.spec)) {
      throw new IllegalArgumentException(
          "other: " + other.spec.describe() + " against " + spec.describe() + ": not one spec");
    }
    List<NDArray> a = arraysOf(network.parameters());
    List<NDArray> b = arraysOf(other.network.parameters());
    double difference = 0;
    double norm = 0;
    for (int i = 0; i < a.size(); i++) {
      float[] x = float32Values(a.get(i));
      float[] y = float32Values(b.get(i));
      for (int j = 0; j < x.length; j++) {
        double d = (double) x[j] - y[j];
        difference += d * d;
        norm += (double) y[j] * y[j];
      }
    }
    return Math.sqrt(difference / norm);
  }

  private static List<NDArray> arraysOf(Iterable<Pair<String, Parameter>> parameters) {
    List<NDArray> arrays = new ArrayList<>();
    parameters.forEach(p -> arrays.add(p.getValue().getArray()));
    return arrays;
  }

  private static float[] float32Values(NDArray array) {
    if (array.getDataType() == DataType.FLOAT32) {
      return array.toFloatArray();
    }
    try (NDArray converted = array.toType(DataType.FLOAT32, true)) {
      return converted.toFloatArray();
    }
  }

  /**
   * The largest difference of one embedding value between this model and {@code other} over {@code
   * count} images of uniform random pixels (the same images on every call), in float32.
   */
  public double maxDifference(EmbeddingModel other, int count) {
    Random random = new Random(0);
    float[] pixels = new float[count * spec.imageSize()];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = random.nextFloat();
    }
    float[] a = embed(pixels, count).values();
    float[] b = other.embed(pixels, count).values();
    if (a.length != b.length) {
      return Double.NaN; // other embedding sizes: no value to compare
    }
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs((double) a[i] - b[i]));
    }
    return max;
  }

  /**
   * Saves with float16 weights (half the size; R@1 unchanged to 4 decimals); a TorchScript model is
   * saved as TorchScript, as it came.
   */
  public ModelManifest save(Path dir, ModelManifest draft) throws IOException {
    return save(dir, draft, false);
  }

  /**
   * Writes the weights and a manifest built from {@code draft} with the file name, dtype, sha256
   * and parameter count filled in; returns the manifest written. Float32 weights reload
   * bit-identically; float16 ones to within fp16 rounding. A TorchScript model is written as a
   * TorchScript file ({@code model.pt}) that {@code torch.jit.load} opens, whatever {@code float32}
   * says.
   */
  public ModelManifest save(Path dir, ModelManifest draft, boolean float32) throws IOException {
    Files.createDirectories(dir);
    boolean scripted = ModelSpec.TORCHSCRIPT.equals(spec.architecture());
    byte[] weights = network.encode(float32 ? DataType.FLOAT32 : DataType.FLOAT16);
    String sha = WeightsCodec.sha256(weights);
    String version =
        draft.version() != null
            ? draft.version()
            : spec.architecture() + "-" + sha.substring(0, 12);
    ModelManifest written =
        new ModelManifest(
            ModelManifest.FORMAT_VERSION,
            version,
            draft.parentVersion(),
            spec,
            parameterCount(),
            network.weightsFileName(),
            scripted ? "torchscript" : float32 ? "float32" : "float16",
            sha,
            draft.createdAt(),
            draft.training(),
            draft.metrics(),
            draft.detection());
    WeightsFiles.write(
        dir, written.weightsFile(), weights, WeightsFiles.splittable(spec.architecture()));
    Files.writeString(dir.resolve(ModelManifest.FILE_NAME), written.toJson());
    this.manifest = written;
    return written;
  }

  /** Embeds every image of a dataset, in order; fails if its images are not the model's shape. */
  public Embeddings embed(ImageDataset data) {
    requireInputShape(data);
    int[] all = new int[data.size()];
    for (int i = 0; i < all.length; i++) {
      all[i] = i;
    }
    return embed(data.batch(all), data.size());
  }

  /** Fails with a message naming both shapes unless {@code data}'s images fit this model. */
  public void requireInputShape(ImageDataset data) {
    if (data.channels() != spec.channels()
        || data.height() != spec.height()
        || data.width() != spec.width()) {
      throw new IllegalArgumentException(
          data.name()
              + ": images are "
              + data.channels()
              + "x"
              + data.height()
              + "x"
              + data.width()
              + " but the model takes "
              + spec.describe());
    }
  }

  /**
   * Images per forward pass when {@link #embed} embeds many: {@link #EMBED_BATCH}, or fewer so that
   * a pass takes at most {@link #EMBED_VALUES} input values (never fewer than one image).
   */
  static int embedBatch(ModelSpec spec) {
    return (int) Math.max(1, Math.min(EMBED_BATCH, EMBED_VALUES / spec.imageSize()));
  }

  /** Embeds {@code count} images given as concatenated pixels in [0,1]; no gradients. */
  public Embeddings embed(float[] pixels, int count) {
    if (pixels.length != (long) count * spec.imageSize()) {
      throw new IllegalArgumentException(
          "pixels: "
              + pixels.length
              + " values are not "
              + count
              + " images of "
              + spec.describe());
    }
    float[] out = new float[count * spec.embeddingSize()];
    Autograd.disableOnThisThread();
    int batch = embedBatch(spec);
    for (int start = 0; start < count; start += batch) {
      int n = Math.min(batch, count - start);
      try (NDManager step = manager.newSubManager()) {
        float[] chunk = new float[n * spec.imageSize()];
        System.arraycopy(pixels, start * spec.imageSize(), chunk, 0, chunk.length);
        NDArray x = step.create(chunk, inputShape(spec, n));
        float[] e = network.inference(x).toFloatArray();
        System.arraycopy(e, 0, out, start * spec.embeddingSize(), e.length);
      }
    }
    return new Embeddings(out, count, spec.embeddingSize());
  }

  /**
   * f(x) for a batch {@code x} of shape (n, c, h, w); the result lives in {@code x}'s manager.
   * Records gradients when called inside a gradient collector.
   */
  public NDArray forward(NDArray x, boolean training) {
    NDArray out = network.forward(x, training);
    out.attach(x.getManager());
    return out;
  }

  /**
   * f(x) through the C2F1 block's layers as built, in libtorch's default layout: tests' reference.
   */
  NDArray referenceForward(NDArray x) {
    return ((C2F1Network) network).referenceForward(x);
  }

  /** Freezes (or unfreezes) every parameter, so input gradients leave the weights untouched. */
  public void freezeParameters(boolean freeze) {
    network.freezeParameters(freeze);
  }

  /** Trainable parameters in a fixed order, for optimisers. */
  public Iterable<Pair<String, Parameter>> parameters() {
    return network.parameters();
  }

  /**
   * {@link ModelSpec#describe} and, for a native network not at robrank's widths, those widths:
   * {@code rc2f2 1x28x28 -> 512 (filters 48,96, hidden 768)}.
   */
  public String describe() {
    if (network instanceof EnsembleNetwork ensemble) {
      return spec.describe() + " (" + ensemble.describeMembers() + ")";
    }
    C2F1.Widths widths = widths();
    if (widths != null && !widths.equals(C2F1.Widths.defaults(spec))) {
      return spec.describe() + " (" + widths.describe() + ")";
    }
    return spec.describe();
  }

  /** The native network's widths; {@code null} for a TorchScript module. */
  private C2F1.Widths widths() {
    return network instanceof C2F1Network n ? n.widths() : null;
  }

  /** Number of trainable values (3,264,992 for the 28×28 C2F1). */
  public long parameterCount() {
    long n = 0;
    for (Pair<String, Parameter> p : network.parameters()) {
      n += p.getValue().getArray().size();
    }
    return n;
  }

  public ModelSpec spec() {
    return spec;
  }

  /** The manifest this model was loaded or last saved with; {@code null} for a new model. */
  public ModelManifest manifest() {
    return manifest;
  }

  /** The version id from the manifest, or {@code "unsaved"}. */
  public String version() {
    ModelManifest m = manifest;
    return m == null ? "unsaved" : m.version();
  }

  /**
   * The manager that owns the weights; create per-step sub-managers from it. For {@code
   * core.attack} and {@code core.train}, whose arrays must live on the weights' device (see this
   * package's notes on NDArrays); others ask for the {@link #device}.
   */
  public NDManager manager() {
    return manager;
  }

  /** The device the weights live on: the CPU or a GPU. */
  public Device device() {
    return manager.getDevice();
  }

  /** Shape (n, c, h, w) of a batch of {@code n} inputs. */
  public static Shape inputShape(ModelSpec spec, long n) {
    return new Shape(n, spec.channels(), spec.height(), spec.width());
  }

  /** The training settings recorded in the manifest, or an empty map. */
  public Map<String, String> trainingInfo() {
    ModelManifest m = manifest;
    return m == null ? Map.of() : m.training();
  }

  @Override
  public void close() {
    network.close();
    manager.close();
  }

  static byte[] readBytes(Path file, Path dir) throws ModelException {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ModelException(
          file + ": not found; is " + dir + " a model directory (manifest.json + weights)?");
    } catch (IOException e) {
      throw new ModelException(file + ": cannot read (" + e.getMessage() + ")", e);
    }
  }

  private static String abbreviate(String sha) {
    return sha.length() > 12 ? sha.substring(0, 12) + "…" : sha;
  }
}
