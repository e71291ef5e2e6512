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
 * idempotent and may race with the JVM hook: whichever comes second waits for the first. A close by
 * the owner takes the hook off the JVM, so a command run in-process leaves no hook behind.
 *
 * <p>A command that must finish its own work after a stop request (print a report, then close) uses
 * {@link #onJvmExit(Duration)}: on Ctrl-C the hook requests stop and gives the owner that long to
 * close before closing itself. Without it the JVM halts as soon as the hook returns, while the
 * owner's thread may still be closing, and what it would have deleted stays.
 */
public final class Shutdown implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Shutdown.class);

  private final Deque<AutoCloseable> resources = new ArrayDeque<>();
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final CountDownLatch closed = new CountDownLatch(1);
  private final Thread hook;
  private final Consumer<Thread> hookRemover;
  private boolean closing;
  private volatile int exitCode;
  private volatile String stopReason = "not requested";

  /** A shutdown driven by the JVM: a shutdown hook requests stop and closes everything. */
  public static Shutdown onJvmExit() {
    return onJvmExit(Duration.ZERO);
  }

  /**
   * A shutdown driven by the JVM whose hook requests stop, then waits up to {@code ownerGrace} for
   * the owner's {@link #close()} before closing everything itself.
   */
  public static Shutdown onJvmExit(Duration ownerGrace) {
    Runtime runtime = Runtime.getRuntime();
    return new Shutdown(runtime::addShutdownHook, Shutdown::removeQuietly, ownerGrace);
  }

  /** For tests: {@code hookRegistrar} receives the hook thread instead of the JVM. */
  Shutdown(Consumer<Thread> hookRegistrar) {
    this(hookRegistrar, hook -> {}, Duration.ZERO);
  }

  Shutdown(Consumer<Thread> hookRegistrar, Consumer<Thread> hookRemover, Duration ownerGrace) {
    this.hookRemover = hookRemover;
    this.hook =
        new Thread(
            () -> {
              requestStop(0, "JVM shutdown");
              if (!awaitClosed(ownerGrace)) {
                close();
              }
            },
            "advrank-shutdown");
    hookRegistrar.accept(hook);
  }

  private static void removeQuietly(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the JVM is exiting: the hook runs and finds everything closed
    }
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
    return stopRequested.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
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
    if (Thread.currentThread() != hook) {
      hookRemover.accept(hook);
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

  private boolean awaitClosed(Duration timeout) {
    try {
      return closed.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
