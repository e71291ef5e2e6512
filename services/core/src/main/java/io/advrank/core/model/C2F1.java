package io.advrank.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.List;

/**
 * The paper's "C2F1" embedding network (Zhou et al., ECCV 2020): conv 32@5×5 (pad 2) → ReLU →
 * maxpool 2 → conv 64@5×5 (pad 2) → ReLU → maxpool 2 → flatten → linear → L2 normalise. There is
 * deliberately no ReLU after the linear layer, so embeddings can point anywhere on the sphere.
 *
 * <p>Also robrank's "rc2f2" ({@link ModelSpec#RC2F2}): the same convolutions, then linear 1024 →
 * ReLU → linear to the embedding. Its parameters are in the order of robrank's PyTorch module
 * (weight, bias per layer), with the same shapes, so a TorchScript rc2f2 converts to it ({@link
 * EmbeddingModel#toNative}).
 *
 * <p>Both are built at robrank's widths by default (32 and 64 filters, 1024 hidden units); a
 * network of the same shape at other widths ({@code models/examples/export_rc2f2.py --filters
 * --hidden}) keeps them in its weights' shapes ({@link Widths#of}).
 */
final class C2F1 {
  /** Positions of the ReLU → max-pool pairs among {@link #build}'s children. */
  private static final int RELU_1 = 1;

  private static final int POOL_1 = 2;
  private static final int RELU_2 = 4;
  private static final int POOL_2 = 5;

  private C2F1() {}

  /**
   * The widths of a native network: the filters of its two convolutions and, for rc2f2, the units
   * of its hidden linear layer (0 for the C2F1, which has none).
   */
  record Widths(int filters1, int filters2, int hidden) {
    /** robrank's rc2f2 (and, without the hidden layer, the paper's C2F1). */
    static final Widths RC2F2 = new Widths(32, 64, 1024);

    Widths {
      if (filters1 <= 0 || filters2 <= 0 || hidden < 0) {
        throw new IllegalArgumentException(
            "widths: filters must be > 0 and hidden units >= 0, were "
                + filters1
                + ", "
                + filters2
                + ", "
                + hidden);
      }
    }

    /** The widths {@code spec}'s architecture is built with when nothing says otherwise. */
    static Widths defaults(ModelSpec spec) {
      return hasHidden(spec) ? RC2F2 : new Widths(RC2F2.filters1, RC2F2.filters2, 0);
    }

    /**
     * The widths that parameter arrays of these shapes, in block order (weight, bias per layer),
     * were built with: the output dimension of conv 1, conv 2 and, for rc2f2, the hidden layer. The
     * defaults when there are not as many arrays as the architecture has, so that the caller's
     * check names that mismatch; any other misfit shows as a shape the built block does not have.
     */
    static Widths of(ModelSpec spec, List<Shape> shapes) {
      int arrays = hasHidden(spec) ? 8 : 6;
      if (shapes.size() != arrays || shapes.stream().anyMatch(s -> s.dimension() == 0)) {
        return defaults(spec);
      }
      return new Widths(
          Math.toIntExact(shapes.get(0).get(0)),
          Math.toIntExact(shapes.get(2).get(0)),
          hasHidden(spec) ? Math.toIntExact(shapes.get(4).get(0)) : 0);
    }

    /** A short description such as {@code filters 32,64, hidden 1024}. */
    String describe() {
      return "filters " + filters1 + "," + filters2 + (hidden > 0 ? ", hidden " + hidden : "");
    }

    private static boolean hasHidden(ModelSpec spec) {
      return ModelSpec.RC2F2.equals(spec.architecture());
    }
  }

  static SequentialBlock build(ModelSpec spec, Widths widths) {
    SequentialBlock block =
        new SequentialBlock()
            .add(conv(widths.filters1()))
            .add(Activation.reluBlock())
            .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
            .add(conv(widths.filters2()))
            .add(Activation.reluBlock())
            .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
            .add(Blocks.batchFlattenBlock());
    if (widths.hidden() > 0) {
      block.add(Linear.builder().setUnits(widths.hidden()).build()).add(Activation.reluBlock());
    }
    return block
        .add(Linear.builder().setUnits(spec.embeddingSize()).build())
        .add(new LambdaBlock(C2F1::l2Normalise, "l2norm"));
  }

  /**
   * f(x) through {@code block}'s layers, with gradients where a collector records them (attacks,
   * training): the same function as {@code block.forward}, computed channels-last (NHWC in memory,
   * still indexed (n, c, h, w)), with each ReLU moved after its max pooling.
   *
   * <ul>
   *   <li>Channels-last: the input is viewed channels-last (free for one channel), so the
   *       convolutions, ReLU and max pooling, and their backward passes, run libtorch's vectorised
   *       channels-last kernels and no layer's output is copied between layouts; its NCHW max-pool
   *       kernel took about a third of the forward pass. A channels-last copy of conv 1's output,
   *       the largest array of the network (32×28×28 per image), took about a quarter of an attack
   *       step at batch 256, forward and backward, on this memory-bound CPU.
   *   <li>ReLU after pooling: relu(max(...)) = max(relu(...)), and the gradient is the same too:
   *       pooling routes it to the window's first maximum in both orders (a positive maximum is the
   *       same element; a non-positive one gets ReLU's zero gradient either way), while ReLU and
   *       its backward touch a quarter of the values.
   * </ul>
   *
   * <p>Measured with {@code advrank bench model} (two threads, two runs interleaved with the
   * previous version, which copied each convolution's output channels-last and ran ReLU first):
   * forward + backward to the input at batch 256 went from 1,887–2,020 to 2,282–2,465 images/s;
   * batch 1 unchanged (241–311 against 298–307). The values differ from {@code block}'s only by the
   * convolutions' float rounding (their kernels sum in another order).
   */
  static NDArray forward(SequentialBlock block, ParameterStore store, NDArray x, boolean training) {
    NDList h = new NDList(channelsLast(x));
    int i = 0;
    for (Pair<String, Block> child : block.getChildren()) {
      if (i == POOL_1 || i == POOL_2) {
        h =
            new NDList(
                Activation.relu(child.getValue().forward(store, h, training).singletonOrThrow()));
      } else if (i != RELU_1 && i != RELU_2) {
        h = child.getValue().forward(store, h, training);
      }
      i++;
    }
    return h.singletonOrThrow();
  }

  /**
   * The same (n, c, h, w) array stored channels-last: a copy through the (n, h, w·c) shape, which
   * no view of an NCHW array has, viewed back as (n, c, h, w); only views, no copy, when c is 1.
   * Gradients flow through it.
   */
  static NDArray channelsLast(NDArray a) {
    Shape s = a.getShape();
    long n = s.get(0);
    long c = s.get(1);
    long h = s.get(2);
    long w = s.get(3);
    return a.transpose(0, 2, 3, 1).reshape(n, h, w * c).reshape(n, h, w, c).transpose(0, 3, 1, 2);
  }

  /**
   * f(x) without gradients, value for value the same as {@code block}'s forward pass but about 40%
   * faster on the CPU: libtorch's max-pool kernel for NCHW tensors was measured at ~39 of the ~125
   * ms of a batch of 256 (for 2 of the 28 MFLOP per image), while the maximum of the window's four
   * strided views takes ~4 ms; and ReLU after pooling touches a quarter of the values (ReLU is
   * monotone, so relu(max(...)) = max(relu(...))). Both are exact, so the embeddings are identical;
   * they are not used where gradients are needed, because they split the gradient differently among
   * tied values.
   */
  static NDArray inference(SequentialBlock block, ParameterStore store, NDArray x) {
    NDList h = new NDList(x);
    int i = 0;
    for (Pair<String, Block> child : block.getChildren()) {
      if (i == POOL_1 || i == POOL_2) {
        h = new NDList(Activation.relu(maxPool2x2(h.singletonOrThrow())));
      } else if (i != RELU_1 && i != RELU_2) {
        h = child.getValue().forward(store, h, false);
      }
      i++;
    }
    NDArray out = h.singletonOrThrow();
    out.attach(x.getManager()); // as in EmbeddingModel.forward: freed with the caller's scope
    return out;
  }

  /** 2×2 max pooling with stride 2 of an (n, c, h, w) array; odd edges are dropped, as by Pool. */
  static NDArray maxPool2x2(NDArray x) {
    long h = x.getShape().get(2) / 2 * 2;
    long w = x.getShape().get(3) / 2 * 2;
    NDArray top = x.get(":, :, 0:{}:2, 0:{}:2", h, w).maximum(x.get(":, :, 0:{}:2, 1:{}:2", h, w));
    NDArray bottom =
        x.get(":, :, 1:{}:2, 0:{}:2", h, w).maximum(x.get(":, :, 1:{}:2, 1:{}:2", h, w));
    return top.maximum(bottom);
  }

  private static Conv2d conv(int filters) {
    return Conv2d.builder()
        .setKernelShape(new Shape(5, 5))
        .optPadding(new Shape(2, 2))
        .setFilters(filters)
        .build();
  }

  private static NDList l2Normalise(NDList in) {
    // f(x) = z / max(||z||, 1e-12): the cosine distance 1 - <f(a), f(b)> needs unit vectors.
    return new NDList(in.singletonOrThrow().normalize(2, 1, 1e-12));
  }
}
