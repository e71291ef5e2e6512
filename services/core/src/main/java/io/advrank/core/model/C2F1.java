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

/**
 * The paper's "C2F1" embedding network (Zhou et al., ECCV 2020): conv 32@5×5 (pad 2) → ReLU →
 * maxpool 2 → conv 64@5×5 (pad 2) → ReLU → maxpool 2 → flatten → linear → L2 normalise. There is
 * deliberately no ReLU after the linear layer, so embeddings can point anywhere on the sphere.
 *
 * <p>Also robrank's "rc2f2" ({@link ModelSpec#RC2F2}): the same convolutions, then linear 1024 →
 * ReLU → linear to the embedding. Its parameters are in the order of robrank's PyTorch module
 * (weight, bias per layer), with the same shapes, so a TorchScript rc2f2 converts to it ({@link
 * EmbeddingModel#toNative}).
 */
final class C2F1 {
  /** Positions of the ReLU → max-pool pairs among {@link #build}'s children. */
  private static final int RELU_1 = 1;

  private static final int POOL_1 = 2;
  private static final int RELU_2 = 4;
  private static final int POOL_2 = 5;

  /** Units of rc2f2's hidden linear layer. */
  static final int RC2F2_HIDDEN = 1024;

  private C2F1() {}

  static SequentialBlock build(ModelSpec spec) {
    SequentialBlock block =
        new SequentialBlock()
            .add(conv(32))
            .add(Activation.reluBlock())
            .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
            .add(conv(64))
            .add(Activation.reluBlock())
            .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
            .add(Blocks.batchFlattenBlock());
    if (ModelSpec.RC2F2.equals(spec.architecture())) {
      block.add(Linear.builder().setUnits(RC2F2_HIDDEN).build()).add(Activation.reluBlock());
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
