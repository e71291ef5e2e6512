package io.advrank.cli;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Sends the demo's logs (Kafka's broker and clients, Kafka Streams, DJL, the services' own) to a
 * file, so the terminal shows only the demo's summary. slf4j-simple reads its target once, when the
 * first logger is made, and building the command line already makes some (a settings class's static
 * logger did, so the demo announced a log file that never existed and logged to stderr): {@link
 * AdvrankCli} therefore chooses the file before it builds anything, and the commands ask for it
 * again.
 */
public final class DemoLog {
  static final String LOG_FILE_PROPERTY = "org.slf4j.simpleLogger.logFile";

  private static Path chosen;

  /** Whether {@code args} run a command that logs to a file: {@code demo} or {@code bench soak}. */
  static boolean wanted(String... args) {
    for (String a : args) {
      if (a.equals("-h") || a.equals("--help") || a.equals("-V") || a.equals("--version")) {
        return false;
      }
    }
    return (args.length > 0 && args[0].equals("demo"))
        || (args.length > 1 && args[0].equals("bench") && args[1].equals("soak"));
  }

  private DemoLog() {}

  /**
   * Points the logs at {@code advrank-demo-<time>.log} in the temporary directory, unless a log
   * target was chosen already (e.g. {@code -Dorg.slf4j.simpleLogger.logFile=System.err}).
   */
  static synchronized void choose() {
    if (System.getProperty(LOG_FILE_PROPERTY) != null) {
      return;
    }
    chosen =
        Path.of(
            System.getProperty("java.io.tmpdir"),
            "advrank-demo-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
                + ".log");
    System.setProperty(LOG_FILE_PROPERTY, chosen.toString());
  }

  /**
   * The log file {@link #choose} picked, to its first caller only (the command that announces it:
   * the soak, not the demo it runs); null when the logs go elsewhere or it was handed out.
   */
  public static synchronized Path redirect() {
    choose();
    Path file = chosen;
    chosen = null;
    return file;
  }
}
