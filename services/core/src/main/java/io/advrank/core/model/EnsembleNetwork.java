package io.advrank.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Native networks joined into one f ({@link ModelSpec#ENSEMBLE}): f(x) = [f₁(x); …; f_k(x)] / √k.
 * Each member's embedding is a unit vector, so f(x) is one, and ⟨f(a), f(b)⟩ is the mean of the
 * members' cosine similarities: an ensemble of embeddings, ranked and attacked as one model
 * (gradients go through every member).
 *
 * <p>Its weights are one NDList: every member's arrays (weight, bias per layer), member after
 * member. Each member of the C2F1 family has two convolutions, so a member begins at every 4-D
 * array that follows a member's second convolution; its linear layers say what it is (one: the
 * C2F1, two: rc2f2) and their shapes its widths and embedding size.
 */
final class EnsembleNetwork implements Network {
  private final List<C2F1Network> members;

  private EnsembleNetwork(List<C2F1Network> members) {
    this.members = List.copyOf(members);
  }

  /**
   * The ensemble {@code weights} (an encoded NDList) hold, loaded into {@code manager}.
   *
   * @throws ModelException when the arrays are not two or more C2F1/rc2f2 networks for {@code
   *     spec}'s input, or their embeddings do not add up to {@code spec}'s, naming {@code source}
   */
  static EnsembleNetwork load(ModelSpec spec, byte[] weights, NDManager manager, String source)
      throws ModelException {
    try (NDManager tmp = manager.newSubManager()) {
      List<NDList> parts = split(WeightsCodec.decode(weights, tmp, Path.of(source)), source);
      List<C2F1Network> members = new ArrayList<>();
      int embedding = 0;
      for (NDList part : parts) {
        ModelSpec member = memberSpec(spec, part, source);
        members.add(C2F1Network.load(member, part, manager, source));
        embedding += member.embeddingSize();
      }
      if (embedding != spec.embeddingSize()) {
        throw new ModelException(
            source
                + ": its "
                + parts.size()
                + " members embed in "
                + embedding
                + " values together, the manifest says "
                + spec.embeddingSize());
      }
      return new EnsembleNetwork(members);
    }
  }

  /** The arrays of each member, in order: a member ends after its second convolution's layers. */
  private static List<NDList> split(NDList arrays, String source) throws ModelException {
    List<NDList> parts = new ArrayList<>();
    NDList current = null;
    int convolutions = 0;
    for (NDArray a : arrays) {
      boolean convolution = a.getShape().dimension() == 4;
      if (current == null || (convolution && convolutions == 2)) {
        if (!convolution) {
          throw new ModelException(
              source + ": a member's first array has shape " + a.getShape() + ", not a conv's");
        }
        current = new NDList();
        parts.add(current);
        convolutions = 0;
      }
      if (convolution) {
        convolutions++;
      }
      current.add(a);
    }
    if (parts.size() < 2) {
      throw new ModelException(
          source
              + ": holds "
              + parts.size()
              + (parts.size() == 1 ? " network" : " networks")
              + ", an ensemble has at least 2");
    }
    return parts;
  }

  /** The spec of the member whose arrays are {@code part}: C2F1 with 6 arrays, rc2f2 with 8. */
  private static ModelSpec memberSpec(ModelSpec spec, NDList part, String source)
      throws ModelException {
    String architecture =
        switch (part.size()) {
          case 6 -> ModelSpec.C2F1;
          case 8 -> ModelSpec.RC2F2;
          default ->
              throw new ModelException(
                  source
                      + ": an ensemble member has "
                      + part.size()
                      + " parameter arrays: neither a C2F1 (6) nor an rc2f2 (8)");
        };
    return new ModelSpec(
        architecture,
        Math.toIntExact(part.get(part.size() - 1).getShape().get(0)),
        spec.channels(),
        spec.height(),
        spec.width());
  }

  /** Each member as {@link EmbeddingModel#describe} says it: {@code 2 × rc2f2 -> 512}. */
  String describeMembers() {
    List<String> each = new ArrayList<>();
    for (C2F1Network m : members) {
      String one = m.spec().architecture() + " -> " + m.spec().embeddingSize();
      if (!m.widths().equals(C2F1.Widths.defaults(m.spec()))) {
        one += " (" + m.widths().describe() + ")";
      }
      each.add(one);
    }
    return each.stream().distinct().count() == 1
        ? members.size() + " × " + each.get(0)
        : String.join(" + ", each);
  }

  @Override
  public NDArray forward(NDArray x, boolean training) {
    NDList parts = new NDList();
    for (C2F1Network m : members) {
      parts.add(m.forward(x, training));
    }
    return join(parts, x);
  }

  @Override
  public NDArray inference(NDArray x) {
    NDList parts = new NDList();
    for (C2F1Network m : members) {
      parts.add(m.inference(x));
    }
    return join(parts, x);
  }

  /** The members' unit embeddings side by side over √k: a unit vector again. */
  private NDArray join(NDList parts, NDArray x) {
    NDArray out = NDArrays.concat(parts, 1).div((float) Math.sqrt(members.size()));
    out.attach(x.getManager());
    return out;
  }

  @Override
  public Iterable<Pair<String, Parameter>> parameters() {
    List<Pair<String, Parameter>> all = new ArrayList<>();
    for (int i = 0; i < members.size(); i++) {
      for (Pair<String, Parameter> p : members.get(i).parameters()) {
        all.add(new Pair<>("member" + (i + 1) + "_" + p.getKey(), p.getValue()));
      }
    }
    return all;
  }

  @Override
  public void freezeParameters(boolean freeze) {
    members.forEach(m -> m.freezeParameters(freeze));
  }

  @Override
  public byte[] encode(DataType dtype) {
    return WeightsCodec.encode(parameters(), dtype);
  }

  @Override
  public String weightsFileName() {
    return "weights.ndlist";
  }

  @Override
  public void close() {
    // The members' arrays belong to the model's manager, closed by EmbeddingModel.
  }
}
