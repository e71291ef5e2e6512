package io.advrank.runtime.lifecycle;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Graceful shutdown for a service {@code main}: register resources as they are opened, wait for a
 * stop request (Ctrl-C / SIGTERM, or {@link #requestStop} from a failing component), then close
 * them in reverse order, so consumers stop before the producers and models they use.
 *
 * <pre>{@code
 * Shutdown shutdown = Shutdown.onJvmExit();
 * var model = shutdown.register(openModel());
 * var streams = shutdown.register(() -> kafkaStreams.close(Duration.ofSeconds(10)));
 * kafkaStreams.start();
 * shutdown.awaitStopRequest();
 * shutdown.close();
 * System.exit(shutdown.exitCode());
 * }</pre>
 *
 * A resource that fails to close is logged and the others are still closed. {@link #close()} is
 * idempotent and may race with the JVM hook: whichever comes second waits for the first.
 */
public final class Shutdown implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Shutdown.class);

  private final Deque<AutoCloseable> resources = new ArrayDeque<>();
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final CountDownLatch closed = new CountDownLatch(1);
  private boolean closing;
  private volatile int exitCode;
  private volatile String stopReason = "not requested";

  /** A shutdown driven by the JVM: a shutdown hook requests stop and closes everything. */
  public static Shutdown onJvmExit() {
    return new Shutdown(hook -> Runtime.getRuntime().addShutdownHook(hook));
  }

  /** For tests: {@code hookRegistrar} receives the hook thread instead of the JVM. */
  Shutdown(Consumer<Thread> hookRegistrar) {
    Thread hook =
        new Thread(
            () -> {
              requestStop(0, "JVM shutdown");
              close();
            },
            "advrank-shutdown");
    hookRegistrar.accept(hook);
  }

  /** Registers a resource to close at shutdown (after every resource registered later). */
  public synchronized <T extends AutoCloseable> T register(T resource) {
    Objects.requireNonNull(resource, "resource");
    if (closing) {
      throw new IllegalStateException("shutting down: cannot register " + resource);
    }
    resources.push(resource);
    return resource;
  }

  /**
   * Asks the service to stop; the first request's exit code and reason win.
   *
   * @param exitCode 0 for a normal stop, non-zero after a fatal error
   */
  public synchronized void requestStop(int exitCode, String reason) {
    if (stopRequested.getCount() > 0) {
      this.exitCode = exitCode;
      this.stopReason = reason;
      LOG.info("stopping: {}", reason);
      stopRequested.countDown();
    }
  }

  /** Blocks until a stop is requested. */
  public void awaitStopRequest() throws InterruptedException {
    stopRequested.await();
  }

  /** Blocks until a stop is requested or {@code timeout} passes; true if requested. */
  public boolean awaitStopRequest(Duration timeout) throws InterruptedException {
    return stopRequested.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The exit code of the first stop request (0 until one is made). */
  public int exitCode() {
    return exitCode;
  }

  /** The reason given with the first stop request. */
  public String stopReason() {
    return stopReason;
  }

  /** Closes every registered resource, newest first; later calls wait for the first to finish. */
  @Override
  public void close() {
    boolean first;
    synchronized (this) {
      first = !closing;
      closing = true;
    }
    if (!first) {
      awaitClosed(); // outside the lock, which the first caller needs to poll resources
      return;
    }
    // Close outside the lock: a resource's close may itself call requestStop.
    try {
      AutoCloseable resource;
      while ((resource = pollNewest()) != null) {
        closeOne(resource);
      }
    } finally {
      closed.countDown();
    }
  }

  private synchronized AutoCloseable pollNewest() {
    return resources.poll();
  }

  private static void closeOne(AutoCloseable resource) {
    try {
      resource.close();
    } catch (Exception e) {
      LOG.warn("error closing {}: {}", resource, e.toString());
    }
  }

  private void awaitClosed() {
    try {
      closed.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
