package io.advrank.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;

/**
 * The function f inside an {@link EmbeddingModel}: pixels in [0,1] to L2-normalised embeddings,
 * with its parameters. One implementation per kind of model directory (native: {@link
 * ModelSpec#C2F1} and {@link ModelSpec#RC2F2}; {@link ModelSpec#ENSEMBLE} of them; {@link
 * ModelSpec#TORCHSCRIPT}), so everything above it (attacks, training, serving) is written once.
 */
interface Network extends AutoCloseable {
  /**
   * f(x) for a batch (n, c, h, w), recording gradients where a collector is open; {@code training}
   * selects training behaviour of layers that have one (batch norm, dropout).
   */
  NDArray forward(NDArray x, boolean training);

  /** f(x) in evaluation mode without gradients, as fast as the network allows. */
  NDArray inference(NDArray x);

  /** Trainable parameters in a fixed order. */
  Iterable<Pair<String, Parameter>> parameters();

  /** Freezes (or unfreezes) every parameter. */
  void freezeParameters(boolean freeze);

  /** The weights file's bytes; {@code dtype} applies where the format stores raw arrays. */
  byte[] encode(DataType dtype);

  /** The name of the weights file in a model directory. */
  String weightsFileName();

  @Override
  void close();
}
