package io.advrank.core.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.training.GradientCollector;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one process-wide lane for gradient recording. DJL allows only one open {@link
 * GradientCollector} per JVM ("A PtGradientCollector is already collecting"), yet in the
 * one-process demo the attack-worker's PGD ({@code core.attack}) and the defense-trainer's EST
 * steps ({@code core.train}) both need gradients on their own threads. Every gradient collection in
 * {@code core} goes through {@link #open()}, which waits (fairly, first come first served) until no
 * other thread is collecting; the lane is held only for one forward/backward, so the two interleave
 * step by step.
 */
public final class GradientLane {
  private static final ReentrantLock LANE = new ReentrantLock(true);

  private GradientLane() {}

  /** Waits for the lane and opens a collector; closing it frees the lane. */
  public static GradientCollector open() {
    LANE.lock();
    try {
      return new Laned(Engine.getInstance().newGradientCollector());
    } catch (RuntimeException e) {
      LANE.unlock();
      throw e;
    }
  }

  /** Whether some thread is collecting gradients now (for tests and metrics). */
  public static boolean busy() {
    return LANE.isLocked();
  }

  private static final class Laned implements GradientCollector {
    private final GradientCollector inner;
    private boolean closed;

    Laned(GradientCollector inner) {
      this.inner = inner;
    }

    @Override
    public void backward(NDArray target) {
      inner.backward(target);
    }

    @Override
    public void zeroGradients() {
      inner.zeroGradients();
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      try {
        inner.close();
      } finally {
        LANE.unlock();
      }
    }
  }
}
