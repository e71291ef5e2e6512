package io.advrank.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Runs the CLI in-process and captures what it prints. */
public record CliRun(int exitCode, String out, String err) {
  /** The committed Fashion-MNIST fixture (surefire runs in the module's directory). */
  public static final Path FIXTURE =
      Path.of("../core/src/test/resources/fixtures/fashion-mnist-mini");

  /** The committed RGB fixture: a TorchScript model and photos (see core's Fixtures.rgbMini). */
  public static final Path RGB_FIXTURE = Path.of("../core/src/test/resources/fixtures/rgb-mini");

  public static synchronized CliRun of(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code = AdvrankCli.run(args);
      System.out.flush();
      System.err.flush();
      return new CliRun(
          code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }
}
