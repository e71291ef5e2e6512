package io.advrank.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParameterList;
import ai.djl.util.Pair;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Weights on disk: DJL's NDList encoding of every parameter in block order, named by parameter id.
 * Stored as float16 by default, which halves the file (the C2F1 is 13 MB as fp32) at no measurable
 * cost in R@1.
 */
final class WeightsCodec {
  private WeightsCodec() {}

  static byte[] encode(Block block, DataType dtype) {
    return encode(block.getParameters(), dtype);
  }

  /** {@code parameters}' arrays, in order, each named by its key. */
  static byte[] encode(Iterable<Pair<String, Parameter>> parameters, DataType dtype) {
    try (NDManager tmp = NDManager.newBaseManager()) {
      NDList list = new NDList();
      for (Pair<String, Parameter> p : parameters) {
        NDArray a = p.getValue().getArray().toType(dtype, true);
        a.attach(tmp);
        a.setName(p.getKey());
        list.add(a);
      }
      return list.encode();
    }
  }

  /**
   * The parameter arrays {@code bytes} encode, in {@code manager} (a scope the caller closes).
   *
   * @throws ModelException when they are not an NDList, naming {@code source}
   */
  static NDList decode(byte[] bytes, NDManager manager, Path source) throws ModelException {
    try {
      return NDList.decode(manager, bytes);
    } catch (RuntimeException e) {
      throw new ModelException(source + ": unreadable weights (" + e.getMessage() + ")", e);
    }
  }

  /**
   * Copies {@code list}'s arrays into {@code block}'s parameters, in order.
   *
   * @throws ModelException when the count or a shape differs, naming {@code source}
   */
  static void copyInto(Block block, NDList list, Path source) throws ModelException {
    ParameterList params = block.getParameters();
    if (list.size() != params.size()) {
      throw new ModelException(
          source
              + ": holds "
              + list.size()
              + " parameter arrays, the architecture has "
              + params.size());
    }
    for (int i = 0; i < params.size(); i++) {
      NDArray target = params.valueAt(i).getArray();
      NDArray stored = list.get(i);
      if (!stored.getShape().equals(target.getShape())) {
        throw new ModelException(
            source
                + ": parameter "
                + params.keyAt(i)
                + " has shape "
                + stored.getShape()
                + ", the architecture needs "
                + target.getShape());
      }
      target.set(stored.toType(DataType.FLOAT32, false).toFloatArray());
    }
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
