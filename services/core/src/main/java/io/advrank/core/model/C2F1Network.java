package io.advrank.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParameterList;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link C2F1}'s block (the C2F1 or robrank's rc2f2) as a {@link Network}; its weights are a DJL
 * NDList ({@link WeightsCodec}), whose shapes also give its widths ({@link C2F1.Widths}).
 */
final class C2F1Network implements Network {
  private final SequentialBlock block;
  private final ParameterStore store;
  private final ModelSpec spec;
  private final C2F1.Widths widths;

  private C2F1Network(
      SequentialBlock block, ModelSpec spec, C2F1.Widths widths, NDManager manager) {
    this.block = block;
    this.spec = spec;
    this.widths = widths;
    this.store = new ParameterStore(manager, false);
  }

  /** A freshly initialised network of {@code spec}'s architecture at robrank's widths. */
  static C2F1Network create(ModelSpec spec, NDManager manager) {
    return create(spec, C2F1.Widths.defaults(spec), manager);
  }

  /** A freshly initialised network of {@code spec}'s architecture at {@code widths}. */
  static C2F1Network create(ModelSpec spec, C2F1.Widths widths, NDManager manager) {
    SequentialBlock block = C2F1.build(spec, widths);
    block.initialize(manager, DataType.FLOAT32, EmbeddingModel.inputShape(spec, 1));
    return new C2F1Network(block, spec, widths, manager);
  }

  /**
   * A network with {@code weights} (an encoded NDList) loaded into {@code manager}, at the widths
   * their shapes give.
   */
  static C2F1Network load(ModelSpec spec, byte[] weights, NDManager manager, String source)
      throws ModelException {
    try (NDManager tmp = manager.newSubManager()) {
      return load(spec, WeightsCodec.decode(weights, tmp, Path.of(source)), manager, source);
    }
  }

  /**
   * A network with copies of {@code arrays} (weight, bias per layer) in {@code manager}, at the
   * widths their shapes give.
   */
  static C2F1Network load(ModelSpec spec, NDList arrays, NDManager manager, String source)
      throws ModelException {
    List<Shape> shapes = new ArrayList<>();
    arrays.forEach(a -> shapes.add(a.getShape()));
    C2F1Network network = create(spec, C2F1.Widths.of(spec, shapes), manager);
    WeightsCodec.copyInto(network.block, arrays, Path.of(source));
    return network;
  }

  /**
   * A network of {@code spec}'s architecture, at the widths {@code source}'s shapes give, whose
   * parameters are copies of {@code source}'s, taken in order (weight, bias per layer, as PyTorch
   * and DJL both list them).
   *
   * @throws ModelException when {@code source} has another number of parameters or a shape that
   *     differs, naming the first one and {@code sourceName}
   */
  static C2F1Network copyOf(
      ModelSpec spec,
      Iterable<Pair<String, Parameter>> source,
      NDManager manager,
      String sourceName)
      throws ModelException {
    List<Pair<String, Parameter>> from = new ArrayList<>();
    source.forEach(from::add);
    List<Shape> shapes = new ArrayList<>();
    from.forEach(p -> shapes.add(p.getValue().getArray().getShape()));
    C2F1Network network = create(spec, C2F1.Widths.of(spec, shapes), manager);
    ParameterList to = network.block.getParameters();
    if (from.size() != to.size()) {
      throw new ModelException(
          sourceName
              + " has "
              + from.size()
              + " parameter arrays, "
              + spec.describe()
              + " has "
              + to.size()
              + ": not this architecture");
    }
    for (int i = 0; i < to.size(); i++) {
      NDArray a = from.get(i).getValue().getArray();
      NDArray b = to.valueAt(i).getArray();
      if (!a.getShape().equals(b.getShape())) {
        throw new ModelException(
            sourceName
                + ": parameter "
                + from.get(i).getKey()
                + " has shape "
                + a.getShape()
                + ", "
                + spec.describe()
                + " needs "
                + b.getShape()
                + " there: not this architecture");
      }
      b.set(a.toType(DataType.FLOAT32, false).toFloatArray());
    }
    return network;
  }

  /** The spec this network was built for. */
  ModelSpec spec() {
    return spec;
  }

  /** The widths this network was built with. */
  C2F1.Widths widths() {
    return widths;
  }

  @Override
  public NDArray forward(NDArray x, boolean training) {
    NDArray out = C2F1.forward(block, store, x, training);
    out.attach(x.getManager());
    return out;
  }

  @Override
  public NDArray inference(NDArray x) {
    return C2F1.inference(block, store, x);
  }

  /** f(x) through the block's layers as built, in libtorch's default layout: tests' reference. */
  NDArray referenceForward(NDArray x) {
    NDArray out = block.forward(store, new NDList(x), false).singletonOrThrow();
    out.attach(x.getManager());
    return out;
  }

  @Override
  public Iterable<Pair<String, Parameter>> parameters() {
    return block.getParameters();
  }

  @Override
  public void freezeParameters(boolean freeze) {
    block.freezeParameters(freeze);
  }

  @Override
  public byte[] encode(DataType dtype) {
    return WeightsCodec.encode(block, dtype);
  }

  @Override
  public String weightsFileName() {
    return "weights.ndlist";
  }

  @Override
  public void close() {
    // The block's arrays belong to the model's manager, closed by EmbeddingModel.
  }
}
