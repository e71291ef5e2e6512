package io.advrank.cli;

import io.advrank.attackworker.AttackWorkerMain;
import io.advrank.console.ConsoleMain;
import io.advrank.defensetrainer.DefenseTrainerMain;
import io.advrank.monitor.MonitorMain;
import io.advrank.producer.ProducerMain;
import io.advrank.ranker.RankerMain;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code advrank serve NAME [settings]}: runs one service alone against a Kafka cluster. Settings
 * are {@code --key=value} flags, {@code ADVRANK_*} environment variables or {@code --settings FILE}
 * (in that order of precedence); {@code --bootstrap-servers} is short for {@code
 * --kafka.bootstrap.servers}.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Run one service alone against an existing Kafka cluster (see `advrank broker`). "
          + "NAME: producer | attack-worker | ranker | monitor | defense-trainer | console."
          + " Settings: "
          + "--key=value flags, ADVRANK_* environment variables or --settings FILE, in that "
          + "order; e.g.",
      "  advrank serve ranker --bootstrap-servers localhost:9092 --ranking.k=20"
    })
final class ServeCommand implements Callable<Integer> {
  /** The services this command can run, by name. */
  static final List<String> SERVICES =
      List.of("producer", "attack-worker", "ranker", "monitor", "defense-trainer", "console");

  @Parameters(
      index = "0",
      paramLabel = "NAME",
      description = "producer | attack-worker | ranker | monitor | defense-trainer | console")
  String name;

  @Parameters(index = "1..*", paramLabel = "SETTING", description = "--key=value settings.")
  List<String> settings = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    String[] args = translate(settings);
    Map<String, String> env = System.getenv();
    return switch (name) {
      case "producer" -> ProducerMain.run(args, env);
      case "attack-worker" -> AttackWorkerMain.run(args, env);
      case "ranker" -> RankerMain.run(args, env);
      case "monitor" -> MonitorMain.run(args, env);
      case "defense-trainer" -> DefenseTrainerMain.run(args, env);
      case "console" -> ConsoleMain.run(args, env);
      default ->
          throw new IllegalArgumentException(
              "NAME: unknown service '"
                  + name
                  + "' (accepted: "
                  + String.join(", ", SERVICES)
                  + ")");
    };
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
