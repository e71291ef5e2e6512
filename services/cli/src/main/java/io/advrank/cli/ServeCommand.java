package io.advrank.cli;

import io.advrank.attackworker.AttackWorkerMain;
import io.advrank.attackworker.AttackWorkerSettings;
import io.advrank.console.ConsoleMain;
import io.advrank.console.ConsoleSettings;
import io.advrank.defensetrainer.DefenseTrainerMain;
import io.advrank.defensetrainer.DefenseTrainerSettings;
import io.advrank.monitor.MonitorMain;
import io.advrank.monitor.MonitorSettings;
import io.advrank.producer.ProducerMain;
import io.advrank.producer.ProducerSettings;
import io.advrank.ranker.RankerMain;
import io.advrank.ranker.RankerSettings;
import io.advrank.runtime.settings.SettingsTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code advrank serve NAME [settings]}: runs one service alone against a Kafka cluster. Settings
 * are {@code --key=value} flags, {@code ADVRANK_*} environment variables or {@code --settings FILE}
 * (in that order of precedence); {@code --bootstrap-servers} is short for {@code
 * --kafka.bootstrap.servers}.
 */
@Command(
    name = "serve",
    versionProvider = AdvrankCli.Version.class,
    description = {
      "Run one service alone against an existing Kafka cluster (see `advrank broker`). "
          + "NAME: producer | attack-worker | ranker | monitor | defense-trainer | console."
          + " Settings: "
          + "--key=value flags, ADVRANK_* environment variables or --settings FILE, in that "
          + "order; e.g.",
      "  advrank serve ranker --bootstrap-servers localhost:9092 --ranking.k=20",
      "`advrank serve NAME --help` lists NAME's settings with their defaults (docs/settings.md)."
    })
final class ServeCommand implements Callable<Integer> {
  /** The services this command can run, by name. */
  static final List<String> SERVICES =
      List.of("producer", "attack-worker", "ranker", "monitor", "defense-trainer", "console");

  @Spec CommandSpec spec;

  @Option(
      names = {"-h", "--help"},
      description = "Show this help message and exit; after NAME, list NAME's settings.")
  boolean help;

  @Option(
      names = {"-V", "--version"},
      versionHelp = true,
      description = "Print version information and exit.")
  boolean version;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "NAME",
      description = "producer | attack-worker | ranker | monitor | defense-trainer | console")
  String name;

  @Parameters(index = "1..*", paramLabel = "SETTING", description = "--key=value settings.")
  List<String> settings = new ArrayList<>();

  /** Each service's settings, declared in its settings record. */
  static final Map<String, SettingsTable> TABLES =
      Map.of(
          "producer", ProducerSettings.TABLE,
          "attack-worker", AttackWorkerSettings.TABLE,
          "ranker", RankerSettings.TABLE,
          "monitor", MonitorSettings.TABLE,
          "defense-trainer", DefenseTrainerSettings.TABLE,
          "console", ConsoleSettings.TABLE);

  @Override
  public Integer call() throws Exception {
    if (help || name == null) {
      CommandLine cli = spec.commandLine();
      cli.usage(cli.getOut());
      if (name != null && TABLES.containsKey(name)) {
        cli.getOut()
            .printf(
                "%nSettings of %s (--key=value, environment variable ADVRANK_KEY, or key=value in"
                    + " --settings FILE):%n%s",
                name, TABLES.get(name).text());
      }
      if (name == null && !help) {
        cli.getErr().println("NAME: missing (accepted: " + String.join(", ", SERVICES) + ")");
        return 2;
      }
      if (name != null && !TABLES.containsKey(name)) {
        return unknown();
      }
      return 0;
    }
    String[] args = translate(settings);
    Map<String, String> env = System.getenv();
    return switch (name) {
      case "producer" -> ProducerMain.run(args, env);
      case "attack-worker" -> AttackWorkerMain.run(args, env);
      case "ranker" -> RankerMain.run(args, env);
      case "monitor" -> MonitorMain.run(args, env);
      case "defense-trainer" -> DefenseTrainerMain.run(args, env);
      case "console" -> ConsoleMain.run(args, env);
      default -> unknown();
    };
  }

  private int unknown() {
    throw new IllegalArgumentException(
        "NAME: unknown service '" + name + "' (accepted: " + String.join(", ", SERVICES) + ")");
  }

  /** docs/settings.md: every service's settings, as the declarations say. */
  static String reference() {
    StringBuilder out = new StringBuilder();
    out.append(
        """
        # Settings

        Every service reads its settings from `--key=value` flags (`advrank serve NAME --key=value`),
        then `ADVRANK_*` environment variables (`ranking.k` is `ADVRANK_RANKING_K`), then a
        properties file (`--settings FILE`); the first one found wins, and an unknown key is an
        error. `advrank serve NAME --help` prints the same list. This page is generated from the
        declarations in each service's settings record (`SettingsReferenceTest` fails when it is
        out of date); Kafka's security settings are in [security.md](security.md).
        """);
    for (String service : SERVICES) {
      out.append("\n## ").append(service).append("\n\n").append(TABLES.get(service).markdown());
    }
    return out.toString();
  }

  /** Expands the {@code --bootstrap-servers} shorthand; everything else passes through. */
  static String[] translate(List<String> settings) {
    List<String> out = new ArrayList<>();
    for (String s : settings) {
      if (s.equals("--bootstrap-servers")) {
        out.add("--kafka.bootstrap.servers");
      } else if (s.startsWith("--bootstrap-servers=")) {
        out.add("--kafka.bootstrap.servers=" + s.substring("--bootstrap-servers=".length()));
      } else {
        out.add(s);
      }
    }
    return out.toArray(new String[0]);
  }
}
