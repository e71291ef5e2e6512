package io.advrank.core.model;

import ai.djl.pytorch.jni.JniUtils;

/**
 * The engine's intra-op thread count, which DJL otherwise fixes from a system property at start.
 */
public final class EngineThreads {
  private EngineThreads() {}

  /** Sets libtorch's intra-op threads for the whole process (no-op on other engines). */
  public static void set(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads: must be >= 1, was " + threads);
    }
    if (Autograd.pyTorch()) {
      JniUtils.setNumThreads(threads);
    }
  }

  /** libtorch's intra-op threads now; 1 on other engines. */
  public static int get() {
    return Autograd.pyTorch() ? JniUtils.getNumThreads() : 1;
  }
}
