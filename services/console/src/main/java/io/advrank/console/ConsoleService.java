package io.advrank.console;

import io.advrank.runtime.metrics.Health;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The web console: a live page of the pipeline for people.
 *
 * <ul>
 *   <li>Input (its own consumer group, {@code console.group.id}; nothing committed): {@code
 *       advrank.catalog}, {@code advrank.catalog.delivered} and {@code advrank.models} from the
 *       beginning (compacted state); {@code advrank.queries}, {@code advrank.queries.delivered},
 *       {@code advrank.adversarial}, {@code advrank.rank-shifts}, {@code advrank.rankings}, {@code
 *       advrank.alerts} and {@code advrank.model-decisions} from the end minus {@code
 *       console.look-back} records per partition; and the monitor's {@code /drift} over HTTP.
 *   <li>Output: the page on {@code http://console.host:console.port/}; malformed records to {@code
 *       advrank.dead-letter}.
 * </ul>
 *
 * It keeps a bounded in-memory view of what it read (no database): see {@code docs/console.md}.
 */
public final class ConsoleService implements AutoCloseable {
  private final ConsoleSettings settings;
  private final ConsoleFeed feed;
  private final ConsoleServer server;
  private final Thread feedThread;

  private ConsoleService(ConsoleSettings settings, ConsoleFeed feed, ConsoleServer server) {
    this.settings = settings;
    this.feed = feed;
    this.server = server;
    this.feedThread = new Thread(feed, "advrank-console-feed");
    feedThread.setDaemon(true);
  }

  /**
   * Builds the console, binding its port (so a taken port fails here, before anything runs).
   *
   * @throws IOException if the port cannot be bound
   */
  public static ConsoleService create(ConsoleSettings settings, Clock clock, MeterRegistry registry)
      throws IOException {
    ConsoleView view = new ConsoleView(settings.modelTrust());
    AtomicReference<ConsoleFeed> feed = new AtomicReference<>();
    ConsoleServer server =
        new ConsoleServer(
            settings, view, clock, () -> Optional.ofNullable(feed.get()).flatMap(f -> f.failure()));
    try {
      feed.set(new ConsoleFeed(settings, view, registry));
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    return new ConsoleService(settings, feed.get(), server);
  }

  /** Starts reading Kafka and serving the page. */
  public void start() {
    feedThread.start();
    server.start();
  }

  /** The page's address, e.g. {@code http://127.0.0.1:9430/}. */
  public String url() {
    String host = settings.host();
    if (host.equals("0.0.0.0") || host.equals("::")) {
      host = "localhost";
    } else if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return "http://" + host + ":" + server.port() + "/";
  }

  /**
   * UP while the Kafka feed reads; DOWN with the reason once it stopped (the page then keeps
   * serving what it has, which goes stale).
   */
  public Health health() {
    return feed.failure()
        .map(e -> Health.down("console feed stopped: " + e))
        .orElseGet(() -> new Health(true, Map.of("page", url())));
  }

  /** Why the Kafka feed stopped, if it did (the page keeps serving what it has). */
  public Optional<Throwable> failure() {
    return feed.failure();
  }

  @Override
  public void close() throws InterruptedException {
    server.close();
    feed.close();
    feedThread.join(10_000);
  }
}
