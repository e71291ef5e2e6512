package io.advrank.cli;

import io.advrank.cli.bench.BenchCommand;
import io.advrank.core.data.DataException;
import io.advrank.core.model.ModelException;
import io.advrank.runtime.kafka.ClientProperties;
import io.advrank.runtime.settings.KafkaSecurity;
import io.advrank.runtime.settings.SettingsException;
import io.advrank.runtime.settings.SettingsSource;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code advrank} command: one entry point for every tool and service. */
@Command(
    name = "advrank",
    mixinStandardHelpOptions = true,
    versionProvider = AdvrankCli.Version.class,
    description = "Adversarial ranking attack and defense for image search (ECCV 2020), as tools.",
    subcommands = {
      DemoCommand.class,
      ConsoleCommand.class,
      TrainCommand.class,
      EvalCommand.class,
      BenchCommand.class,
      AttackCommand.class,
      TableCommand.class,
      ServeCommand.class,
      BrokerCommand.class,
      io.advrank.cli.cluster.ClusterCommand.class,
      ModelsCommand.class,
      CommandLine.HelpCommand.class
    })
public final class AdvrankCli implements Runnable {
  /** Exit code for bad input: unknown options, unreadable data, a refused model. */
  static final int EXIT_BAD_INPUT = 2;

  @Option(
      names = "--verbose",
      scope = CommandLine.ScopeType.INHERIT,
      description = "Print stack traces on errors.")
  boolean verbose;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code (used by tests). */
  public static int run(String... args) {
    if (DemoLog.wanted(args)) {
      DemoLog.choose(); // before any class below makes the first logger
    }
    // DJL must never reach the network: libtorch ships on the classpath (docs/method.md §8).
    System.setProperty("ai.djl.offline", "true");
    System.setProperty("offline", "true");
    // Commands that reach a given cluster (models, demo --bootstrap-servers, bench) authenticate
    // as ADVRANK_KAFKA_SECURITY_PROTOCOL, ADVRANK_KAFKA_SASL_* and ADVRANK_KAFKA_SSL_* say.
    try {
      ClientProperties.useSecurity(
          KafkaSecurity.from(
              SettingsSource.load(KafkaSecurity.KEYS, Map.of(), System.getenv(), null)));
    } catch (SettingsException e) {
      System.err.println("advrank: " + e.getMessage());
      return EXIT_BAD_INPUT;
    }
    CommandLine cli = new CommandLine(new AdvrankCli());
    cli.setExecutionExceptionHandler(AdvrankCli::onError);
    cli.setParameterExceptionHandler(AdvrankCli::onBadArgs);
    // `serve NAME --key value ...` hands its flags to the service, which knows its own settings;
    // picocli must not refuse them as unknown options of `serve` (it did: "Unknown option").
    cli.getSubcommands().get("serve").setUnmatchedOptionsArePositionalParams(true);
    return cli.execute(args);
  }

  private static int onBadArgs(CommandLine.ParameterException e, String[] args) {
    PrintWriter err = e.getCommandLine().getErr();
    err.println("advrank: " + e.getMessage());
    err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
    return EXIT_BAD_INPUT;
  }

  private static int onError(Exception e, CommandLine cmd, CommandLine.ParseResult parseResult) {
    PrintWriter err = cmd.getErr();
    boolean verbose = parseResult.hasMatchedOption("--verbose") || hasVerbose(parseResult);
    if (verbose) {
      e.printStackTrace(err);
    }
    boolean userError =
        e instanceof DataException
            || e instanceof ModelException
            || e instanceof IllegalArgumentException
            || e instanceof java.nio.file.NoSuchFileException;
    err.println("advrank: " + (userError ? "" : "error: ") + e.getMessage());
    if (!userError && !verbose) {
      err.println("(run again with --verbose for the stack trace)");
    }
    return userError ? EXIT_BAD_INPUT : 1;
  }

  private static boolean hasVerbose(CommandLine.ParseResult r) {
    for (CommandLine.ParseResult p = r; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = AdvrankCli.class.getPackage().getImplementationVersion();
      return new String[] {"advrank " + (v == null ? "dev" : v)};
    }
  }
}
