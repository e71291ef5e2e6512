package io.advrank.core.model;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * PyTorch's grad mode is per thread and DJL only turns it off on the thread that started the
 * engine; inference on any other thread would otherwise record a graph it never uses.
 */
public final class Autograd {
  private Autograd() {}

  /** Turns off gradient recording on the calling thread (no-op on engines other than PyTorch). */
  public static void disableOnThisThread() {
    if (Default.PYTORCH) {
      JniUtils.setGradMode(false);
    }
  }

  /** Whether the default engine is PyTorch (for the other libtorch-only switches here). */
  static boolean pyTorch() {
    return Default.PYTORCH;
  }

  /**
   * Whether the default engine is PyTorch, looked up once rather than on every embedding call
   * ({@code Engine.getInstance()} reads system properties and the environment each time).
   */
  private static final class Default {
    static final boolean PYTORCH = "PyTorch".equals(Engine.getInstance().getEngineName());
  }
}
