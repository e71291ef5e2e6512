package io.advrank.cli;

import io.advrank.console.ConsoleService;
import io.advrank.console.ConsoleSettings;
import io.advrank.runtime.metrics.ProcessRegistry;
import io.advrank.runtime.settings.KafkaSettings;
import io.advrank.runtime.settings.SettingsSource;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code advrank console}: the web console alone against a running pipeline. Flags map to the
 * console's settings (see {@link ConsoleSettings}); unset ones come from {@code ADVRANK_*}
 * environment variables or {@code --settings FILE}.
 */
@Command(
    name = "console",
    mixinStandardHelpOptions = true,
    description =
        "Serve the web console (recent attacks with their images, hijacked rankings, alerts, rank "
            + "drift, model versions) for a running pipeline, read from Kafka and the monitor's "
            + "interactive queries. Runs until Ctrl-C.")
final class ConsoleCommand implements Callable<Integer> {
  @Option(
      names = "--bootstrap-servers",
      description = "Kafka cluster (setting kafka.bootstrap.servers; default localhost:9092).")
  String bootstrapServers;

  @Option(
      names = "--monitor-url",
      description =
          "Base URL of the monitor's interactive queries, e.g. http://localhost:9420"
              + " (setting console.monitor.url; default: none).")
  String monitorUrl;

  @Option(
      names = "--host",
      description = "Address to serve on (setting console.host; default 127.0.0.1).")
  String host;

  @Option(
      names = "--port",
      description = "Port to serve on, 0 = any free port (setting console.port; default 9430).")
  String port;

  @Option(names = "--settings", description = "A properties file of settings.")
  Path settingsFile;

  @Override
  public Integer call() throws Exception {
    Map<String, String> flags = new HashMap<>();
    putIfSet(flags, KafkaSettings.BOOTSTRAP_SERVERS, bootstrapServers);
    putIfSet(flags, ConsoleSettings.MONITOR_URL, monitorUrl);
    putIfSet(flags, ConsoleSettings.HOST, host);
    putIfSet(flags, ConsoleSettings.PORT, port);
    ConsoleSettings settings =
        ConsoleSettings.from(
            SettingsSource.load(ConsoleSettings.KEYS, flags, System.getenv(), settingsFile));
    CountDownLatch stop = new CountDownLatch(1);
    Thread hook = new Thread(stop::countDown, "console-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try (ConsoleService console =
        ConsoleService.create(settings, Clock.systemUTC(), ProcessRegistry.create())) {
      console.start();
      System.err.println("console: " + console.url());
      stop.await();
    }
    return 0;
  }

  private static void putIfSet(Map<String, String> flags, String key, String value) {
    if (value != null) {
      flags.put(key, value);
    }
  }
}
