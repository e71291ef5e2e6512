package io.advrank.runtime.lifecycle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A directory under {@code java.io.tmpdir} that goes away with everything in it when its command
 * ends. Register it with the command's {@link Shutdown} before the services that use it, so that on
 * Ctrl-C or SIGTERM it is deleted after they are closed:
 *
 * <pre>{@code
 * try (Shutdown shutdown = Shutdown.onJvmExit(grace)) {
 *   Path state = shutdown.register(TempDirectory.create("advrank-monitor-demo")).path();
 *   shutdown.register(startMonitor(state));
 *   ...
 * }
 * }</pre>
 *
 * Code that cannot scope the directory to a command uses {@link #untilExit}: deleted at JVM exit.
 * That hook runs alongside the others, so it is for directories whose users are stopped by then or
 * may fail as the JVM exits; a broker's data directory goes through a {@link Shutdown} instead.
 */
public final class TempDirectory implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TempDirectory.class);
  private static final Set<Path> AT_EXIT = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> AT_EXIT.forEach(TempDirectory::deleteQuietly), "advrank-temp-exit"));
  }

  private final Path path;

  private TempDirectory(Path path) {
    this.path = path;
  }

  /** A new empty directory {@code java.io.tmpdir/PREFIX...}, deleted by {@link #close()}. */
  public static TempDirectory create(String prefix) throws IOException {
    return new TempDirectory(Files.createTempDirectory(prefix));
  }

  /**
   * A new empty directory deleted when the JVM exits, for users that are closed by then (a JVM hook
   * cannot be ordered after other hooks; prefer {@link #create} with a {@link Shutdown}).
   */
  public static Path untilExit(String prefix) {
    try {
      return create(prefix).alsoAtExit().path();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory " + prefix, e);
    }
  }

  /**
   * Also deletes the directory at JVM exit if it is not closed by then, e.g. one a service's worker
   * thread uses for a moment, which Ctrl-C may interrupt. Returns this.
   */
  public TempDirectory alsoAtExit() {
    AT_EXIT.add(path);
    return this;
  }

  /** The directory. */
  public Path path() {
    return path;
  }

  /** Deletes the directory and its contents; idempotent; a failure is logged, not thrown. */
  @Override
  public void close() {
    deleteQuietly(path);
    AT_EXIT.remove(path);
  }

  @Override
  public String toString() {
    return "temporary directory " + path;
  }

  /** Deletes {@code dir} and everything under it (links are deleted, not followed). */
  public static void deleteRecursively(Path dir) throws IOException {
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(dir)) {
      paths = walk.sorted(Comparator.reverseOrder()).toList();
    } catch (NoSuchFileException gone) {
      return;
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    for (Path p : paths) {
      Files.deleteIfExists(p);
    }
  }

  /** {@link #deleteRecursively}, logging a failure: for cleanup that must not fail its caller. */
  public static void deleteQuietly(Path dir) {
    try {
      deleteRecursively(dir);
    } catch (IOException e) {
      LOG.warn("could not delete {}: {}", dir, e.toString());
    }
  }
}
