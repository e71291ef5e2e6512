package io.advrank.core.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;

/**
 * The paper's "C2F1" embedding network (Zhou et al., ECCV 2020): conv 32@5×5 (pad 2) → ReLU →
 * maxpool 2 → conv 64@5×5 (pad 2) → ReLU → maxpool 2 → flatten → linear → L2 normalise. There is
 * deliberately no ReLU after the linear layer, so embeddings can point anywhere on the sphere.
 */
final class C2F1 {
  private C2F1() {}

  static SequentialBlock build(ModelSpec spec) {
    return new SequentialBlock()
        .add(conv(32))
        .add(Activation.reluBlock())
        .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
        .add(conv(64))
        .add(Activation.reluBlock())
        .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
        .add(Blocks.batchFlattenBlock())
        .add(Linear.builder().setUnits(spec.embeddingSize()).build())
        .add(new LambdaBlock(C2F1::l2Normalise, "l2norm"));
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
