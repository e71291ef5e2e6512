package io.advrank.cli;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Sends the demo's logs (Kafka's broker and clients, Kafka Streams, DJL, the services' own) to a
 * file, so the terminal shows only the demo's summary. slf4j-simple reads its target once, when the
 * first logger is made, which for the demo is after the command line is parsed.
 */
public final class DemoLog {
  static final String LOG_FILE_PROPERTY = "org.slf4j.simpleLogger.logFile";

  private DemoLog() {}

  /**
   * Points the logs at {@code advrank-demo-<time>.log} in the temporary directory and returns it;
   * null (logs stay on stderr) when a log target was chosen already, e.g. with {@code
   * -Dorg.slf4j.simpleLogger.logFile=System.err}.
   */
  public static Path redirect() {
    if (System.getProperty(LOG_FILE_PROPERTY) != null) {
      return null;
    }
    Path file =
        Path.of(
            System.getProperty("java.io.tmpdir"),
            "advrank-demo-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
                + ".log");
    System.setProperty(LOG_FILE_PROPERTY, file.toString());
    return file;
  }
}
