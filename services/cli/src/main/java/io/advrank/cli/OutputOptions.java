package io.advrank.cli;

import com.google.gson.GsonBuilder;
import java.util.function.Supplier;
import picocli.CommandLine.Option;

/** {@code --json}: machine-readable results on stdout; progress always goes to stderr. */
public final class OutputOptions {
  @Option(names = "--json", description = "Print the result as JSON on stdout.")
  public boolean json;

  @Option(names = "--no-progress", description = "Do not draw progress bars.")
  boolean noProgress;

  boolean quietProgress() {
    return noProgress;
  }

  public void print(Object result, Supplier<String> text) {
    if (json) {
      System.out.println(
          new GsonBuilder()
              .setPrettyPrinting()
              .serializeSpecialFloatingPointValues()
              .create()
              .toJson(result));
    } else {
      System.out.print(text.get());
    }
    System.out.flush();
  }
}
