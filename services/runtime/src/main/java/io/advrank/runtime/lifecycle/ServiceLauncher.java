package io.advrank.runtime.lifecycle;

import io.advrank.runtime.http.HttpAccess;
import io.advrank.runtime.kafka.ClientProperties;
import io.advrank.runtime.metrics.MetricsServer;
import io.advrank.runtime.metrics.ProcessRegistry;
import io.advrank.runtime.settings.ServiceSettings;
import io.advrank.runtime.settings.SettingsException;
import io.advrank.runtime.settings.SettingsSource;
import io.advrank.runtime.topic.Topics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;

/**
 * The one way a service process runs, so that each service's {@code main} is a few lines: read the
 * settings ({@code --key=value} flags, {@code ADVRANK_*} variables, {@code --settings FILE}), make
 * every Kafka client of the process authenticate alike, check the cluster and create the topics,
 * build the service, serve {@code /metrics} and {@code /health}, start it, and wait until the
 * process is stopped, the service fails or it finishes its work.
 *
 * <p>Exit codes: 0 stopped or finished, 1 the service failed, 2 bad settings or an input the
 * service refuses (declared with {@link #refusing}: a model, a dataset, a cluster that is not the
 * staging one), printed as one line {@code advrank NAME: reason} on standard error.
 *
 * @param <S> the service's settings
 */
public final class ServiceLauncher<S extends ServiceSettings> {
  private static final Duration TOPICS_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration POLL = Duration.ofMillis(500);

  /** Reads a service's settings; a bad value is a {@link SettingsException} naming the key. */
  @FunctionalInterface
  public interface Reader<S> {
    S read(SettingsSource source) throws SettingsException;
  }

  /** Builds the service once the cluster is ready; its threads start later. */
  @FunctionalInterface
  public interface Factory<S> {
    RunningService create(S settings, Launch launch) throws Exception;
  }

  /** Work on the cluster before the service is built (check it, create the topics). */
  @FunctionalInterface
  public interface ClusterStep<S> {
    void run(S settings, Admin admin) throws Exception;
  }

  /**
   * What a factory gets besides the settings: the process's HTTP access rules, its metrics
   * registry, and the shutdown to register further resources with (closed before the service).
   */
  public record Launch(HttpAccess http, PrometheusMeterRegistry registry, Shutdown shutdown) {}

  private final String name;
  private final Set<String> keys;
  private final Reader<S> reader;
  private final Function<S, Properties> admin;
  private final List<Class<? extends Exception>> refusals = new ArrayList<>();
  private ClusterStep<S> beforeTopics = (settings, admin) -> {};
  private ClusterStep<S> topics =
      (settings, admin) ->
          Topics.createAll(admin, settings.kafka().replicationFactor(), TOPICS_TIMEOUT);
  private PrintStream err = System.err;
  private boolean createsTopics = true;

  private ServiceLauncher(
      String name, Set<String> keys, Reader<S> reader, Function<S, Properties> admin) {
    this.name = Objects.requireNonNull(name, "name");
    // The launcher reads http.bind and http.token itself (HttpAccess) for /metrics and /health.
    Set<String> all = new HashSet<>(keys);
    all.addAll(HttpAccess.KEYS);
    this.keys = Set.copyOf(all);
    this.reader = Objects.requireNonNull(reader, "reader");
    this.admin = Objects.requireNonNull(admin, "admin");
    refusals.add(SettingsException.class);
  }

  /**
   * A launcher for service {@code name} (as in {@code advrank serve NAME}).
   *
   * @param keys every settings key the service accepts besides {@code http.*} (which the launcher
   *     reads); others are refused
   * @param admin the admin client's properties (its client id names the service instance)
   */
  public static <S extends ServiceSettings> ServiceLauncher<S> of(
      String name, Set<String> keys, Reader<S> reader, Function<S, Properties> admin) {
    return new ServiceLauncher<>(name, keys, reader, admin);
  }

  /** Runs {@code check} on the cluster before any topic is created there. */
  public ServiceLauncher<S> beforeTopics(ClusterStep<S> check) {
    this.beforeTopics = Objects.requireNonNull(check, "check");
    return this;
  }

  /**
   * Exceptions that mean a refused input rather than a failure: exit code 2 and the exception's
   * message alone. {@link SettingsException} always is one.
   */
  @SafeVarargs
  public final ServiceLauncher<S> refusing(Class<? extends Exception>... types) {
    refusals.addAll(List.of(types));
    return this;
  }

  /**
   * For a service that only reads (the console): no admin client, no topics created, so its Kafka
   * identity needs no rights beyond its reads.
   */
  public ServiceLauncher<S> withoutTopics() {
    this.createsTopics = false;
    return this;
  }

  /** For tests: replaces topic creation (which needs a broker). */
  ServiceLauncher<S> topics(ClusterStep<S> step) {
    this.topics = Objects.requireNonNull(step, "step");
    return this;
  }

  /** For tests: where the one-line errors go. */
  ServiceLauncher<S> errors(PrintStream stream) {
    this.err = Objects.requireNonNull(stream, "stream");
    return this;
  }

  /** Runs the service until the process is stopped, it fails or it finishes; the exit code. */
  public int run(String[] args, Map<String, String> env, Factory<S> factory)
      throws InterruptedException {
    return run(args, env, factory, Shutdown.onJvmExit());
  }

  int run(String[] args, Map<String, String> env, Factory<S> factory, Shutdown shutdown)
      throws InterruptedException {
    try (shutdown) {
      S settings;
      HttpAccess http;
      try {
        SettingsSource source = SettingsSource.fromArgs(keys, args, env);
        settings = reader.read(source);
        http = HttpAccess.from(source);
      } catch (SettingsException e) {
        return refuse(e);
      }
      // Every Kafka client of this process, the model feed's included, authenticates alike.
      ClientProperties.useSecurity(settings.kafka().security());
      return serve(settings, http, factory, shutdown);
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      if (refusals.stream().anyMatch(type -> type.isInstance(e))) {
        return refuse(e);
      }
      err.println("advrank " + name + ": " + e);
      return 1;
    }
  }

  private int serve(S settings, HttpAccess http, Factory<S> factory, Shutdown shutdown)
      throws Exception {
    PrometheusMeterRegistry registry = ProcessRegistry.create();
    if (createsTopics) {
      try (Admin cluster = Admin.create(admin.apply(settings))) {
        beforeTopics.run(settings, cluster);
        topics.run(settings, cluster);
      }
    }
    RunningService service =
        shutdown.register(factory.create(settings, new Launch(http, registry, shutdown)));
    shutdown.register(MetricsServer.start(http, settings.metricsPort(), registry, service::health));
    service.start();
    while (!shutdown.awaitStopRequest(POLL)) {
      if (service.failure().isPresent()) {
        shutdown.requestStop(1, name + " failed: " + service.failure().get());
      } else if (service.finished()) {
        shutdown.requestStop(0, name + " finished");
      }
    }
    return shutdown.exitCode();
  }

  private int refuse(Exception e) {
    err.println("advrank " + name + ": " + e.getMessage());
    return 2;
  }
}
