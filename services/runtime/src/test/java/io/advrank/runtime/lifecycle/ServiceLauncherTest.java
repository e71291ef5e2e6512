package io.advrank.runtime.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.runtime.kafka.ClientProperties;
import io.advrank.runtime.metrics.Health;
import io.advrank.runtime.settings.KafkaSettings;
import io.advrank.runtime.settings.ServiceSettings;
import io.advrank.runtime.settings.SettingsSource;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The launcher's exit codes and one-line errors, on a service without a broker. */
class ServiceLauncherTest {
  private record Settings(KafkaSettings kafka, int metricsPort) implements ServiceSettings {
    static final Set<String> KEYS = keys();

    static Settings from(SettingsSource source) {
      return new Settings(KafkaSettings.from(source), source.intValue("metrics.port", 0));
    }

    private static Set<String> keys() {
      Set<String> keys = new HashSet<>(KafkaSettings.KEYS);
      keys.add("metrics.port");
      return keys;
    }
  }

  /** A service whose life the test drives. */
  private static final class Fake implements RunningService {
    final AtomicBoolean started = new AtomicBoolean();
    final AtomicBoolean closed = new AtomicBoolean();
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    final AtomicBoolean finished = new AtomicBoolean();

    @Override
    public void start() {
      started.set(true);
    }

    @Override
    public Optional<Throwable> failure() {
      return Optional.ofNullable(failure.get());
    }

    @Override
    public Health health() {
      return Health.up();
    }

    @Override
    public boolean finished() {
      return finished.get();
    }

    @Override
    public void close() {
      closed.set(true);
    }
  }

  /** A model the service refuses. */
  private static final class RefusedInput extends Exception {
    RefusedInput(String message) {
      super(message);
    }
  }

  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private ServiceLauncher<Settings> launcher() {
    return ServiceLauncher.of(
            "fake",
            Settings.KEYS,
            Settings::from,
            s -> ClientProperties.admin(s.kafka().bootstrapServers(), "fake-admin"))
        .refusing(RefusedInput.class)
        .topics((settings, admin) -> {})
        .errors(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String errors() {
    return err.toString(StandardCharsets.UTF_8);
  }

  private static Shutdown shutdown() {
    return new Shutdown(hook -> {});
  }

  @Test
  void anUnknownSettingExitsTwoWithOneLineNamingIt() throws Exception {
    int code = launcher().run(new String[] {"--no.such=1"}, Map.of(), (s, l) -> new Fake());

    assertEquals(2, code);
    assertTrue(errors().startsWith("advrank fake: "), errors());
    assertTrue(errors().contains("no.such"), errors());
    assertEquals(1, errors().lines().count(), errors());
  }

  @Test
  void aRefusedInputExitsTwoWithItsMessageAlone() throws Exception {
    int code =
        launcher()
            .run(
                new String[0],
                Map.of(),
                (s, l) -> {
                  throw new RefusedInput("model: not a TorchScript module");
                },
                shutdown());

    assertEquals(2, code);
    assertEquals("advrank fake: model: not a TorchScript module", errors().strip());
  }

  @Test
  void anyOtherErrorExitsOne() throws Exception {
    int code =
        launcher()
            .run(
                new String[0],
                Map.of(),
                (s, l) -> {
                  throw new IllegalStateException("disk full");
                },
                shutdown());

    assertEquals(1, code);
    assertEquals("advrank fake: java.lang.IllegalStateException: disk full", errors().strip());
  }

  @Test
  void aServiceThatFailsIsStoppedAndClosedWithExitCodeOne() throws Exception {
    Fake fake = new Fake();
    fake.failure.set(new IllegalStateException("consumer fenced"));

    int code = launcher().run(new String[0], Map.of(), (s, l) -> fake, shutdown());

    assertEquals(1, code);
    assertTrue(fake.started.get());
    assertTrue(fake.closed.get());
  }

  @Test
  void aServiceThatFinishesExitsZeroAndAStopRequestToo() throws Exception {
    Fake done = new Fake();
    done.finished.set(true);
    assertEquals(0, launcher().run(new String[0], Map.of(), (s, l) -> done, shutdown()));
    assertTrue(done.closed.get());

    Fake running = new Fake();
    Shutdown shutdown = shutdown();
    int code =
        launcher()
            .run(
                new String[] {"--metrics.port=0"},
                Map.of(),
                (s, launch) -> {
                  // Stop as a SIGTERM would, once the service is built.
                  launch.shutdown().requestStop(0, "test");
                  return running;
                },
                shutdown);
    assertEquals(0, code);
    assertTrue(running.closed.get());
    assertEquals("", errors());
  }
}
