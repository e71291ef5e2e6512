package io.advrank.cli;

import io.advrank.console.ConsoleMain;
import io.advrank.console.ConsoleSettings;
import io.advrank.runtime.settings.KafkaSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
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
    List<String> args = new ArrayList<>();
    addIfSet(args, KafkaSettings.BOOTSTRAP_SERVERS, bootstrapServers);
    addIfSet(args, ConsoleSettings.MONITOR_URL.key(), monitorUrl);
    addIfSet(args, ConsoleSettings.HOST.key(), host);
    addIfSet(args, ConsoleSettings.PORT.key(), port);
    if (settingsFile != null) {
      args.add("--settings=" + settingsFile);
    }
    return ConsoleMain.run(args.toArray(new String[0]), System.getenv());
  }

  private static void addIfSet(List<String> args, String key, String value) {
    if (value != null) {
      args.add("--" + key + "=" + value);
    }
  }
}
