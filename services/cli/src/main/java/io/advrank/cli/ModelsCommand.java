package io.advrank.cli;

import io.advrank.core.detection.DetectorThresholds;
import io.advrank.core.model.ModelException;
import io.advrank.core.model.ModelManifest;
import io.advrank.core.model.WeightsFiles;
import io.advrank.runtime.model.AssembledModel;
import io.advrank.runtime.model.ModelAssembler;
import io.advrank.runtime.model.ModelKeys;
import io.advrank.runtime.model.ModelSigner;
import io.advrank.runtime.model.ModelTopic;
import io.advrank.runtime.model.ModelTrust;
import io.advrank.runtime.settings.SettingsSource;
import io.advrank.runtime.topic.Topics;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code advrank models list|show|rollback|publish|export|keygen}: the model versions on {@code
 * advrank.models}, read by replaying the compacted topic (no shared filesystem). A rollback is an
 * activation record that every ranker and attack-worker honours although the version is older. With
 * {@code --trusted-keys} the versions are checked as a service with those keys checks them, and
 * each shows who signed it; {@code publish --signing-key} signs (docs/signing.md).
 */
@Command(
    name = "models",
    mixinStandardHelpOptions = true,
    description =
        "List, show, roll back, publish and export model versions on advrank.models; import a"
            + " TorchScript model, convert one to a native network, average or join several, calibrate"
            + " detectors.",
    subcommands = {
      ModelsCommand.ListVersions.class,
      ModelsCommand.Show.class,
      ModelsCommand.Rollback.class,
      ModelsCommand.Publish.class,
      ModelsCommand.Export.class,
      ModelsImportCommand.class,
      ModelsConvertCommand.class,
      ModelsAverageCommand.class,
      ModelsEnsembleCommand.class,
      ModelsCalibrateCommand.class,
      ModelsCommand.Keygen.class
    })
public final class ModelsCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Options every subcommand shares. */
  static class Connection {
    @Option(
        names = "--bootstrap-servers",
        defaultValue = "localhost:9092",
        description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(
        names = "--timeout",
        defaultValue = "30s",
        description = "How long to wait for the broker (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Option(
        names = "--trusted-keys",
        split = ",",
        paramLabel = "PATH",
        defaultValue = "${env:ADVRANK_MODELS_TRUSTED_KEYS}",
        description =
            "Public key files (*.pub) or directories of them; versions no trusted key signed are"
                + " listed as refused, as services with these keys refuse them (default:"
                + " $ADVRANK_MODELS_TRUSTED_KEYS, else signatures are not checked).")
    List<String> trustedKeys;

    Duration timeout() {
      return SettingsSource.parseDuration("--timeout", timeout);
    }

    ModelTrust trust() {
      List<String> paths = trustedKeys == null ? List.of() : trustedKeys;
      return ModelTrust.load(
          "--trusted-keys", paths.stream().filter(s -> !s.isBlank()).map(Path::of).toList());
    }

    ModelTopic.History read() {
      return ModelTopic.read(bootstrapServers, trust(), timeout());
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List the versions.")
  static final class ListVersions implements Callable<Integer> {
    @picocli.CommandLine.Mixin Connection kafka;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      ModelTopic.History history = kafka.read();
      String active = history.active().orElse("");
      out.printf(
          "%-2s %-28s %-28s %-24s %9s %8s %-12s %s%n",
          "", "VERSION", "PARENT", "CREATED", "MB", "R@1", "SHA256", "SIGNED BY");
      for (AssembledModel m : history.versions()) {
        out.printf(
            "%-2s %-28s %-28s %-24s %9.2f %8s %-12s %s%n",
            m.version().equals(active) ? "*" : "",
            m.version(),
            m.parent().isEmpty() ? "-" : m.parent(),
            Instant.ofEpochMilli(m.createdAtMs()).toString(),
            m.weights().length / 1e6,
            metric(m, "r_at_1"),
            m.sha256().substring(0, 12),
            m.signer());
      }
      for (ModelAssembler.Activate a : history.activations()) {
        out.printf(
            "rollback to %s at %s%n", a.model().version(), Instant.ofEpochMilli(a.requestedAtMs()));
      }
      for (ModelAssembler.Refused r : history.refused()) {
        out.printf("refused %s (%s): %s%n", r.version(), r.refusal().label(), r.detail());
      }
      out.printf(
          "%d version(s) on %s; * = served by consumers%n",
          history.versions().size(), Topics.MODELS);
      return 0;
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Print a version's metadata and manifest.")
  static final class Show implements Callable<Integer> {
    @picocli.CommandLine.Mixin Connection kafka;
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "VERSION", description = "A version id (see `list`).")
    String version;

    @Override
    public Integer call() {
      ModelTopic.History history = kafka.read();
      AssembledModel m = find(history, version);
      PrintWriter out = spec.commandLine().getOut();
      out.println("version:    " + m.version());
      out.println("parent:     " + (m.parent().isEmpty() ? "-" : m.parent()));
      out.println("created:    " + Instant.ofEpochMilli(m.createdAtMs()));
      out.println("sha256:     " + m.sha256());
      out.println("weights:    " + m.weights().length + " bytes");
      out.println("signed by:  " + m.signer());
      out.println("served:     " + m.version().equals(history.active().orElse("")));
      out.println("manifest:");
      out.println(m.manifestJson());
      return 0;
    }
  }

  @Command(
      name = "rollback",
      mixinStandardHelpOptions = true,
      description =
          "Make every ranker, attack-worker and defense-trainer serve (and harden) VERSION, "
              + "although it is older than the newest one: publishes an activation record on "
              + "advrank.models.")
  static final class Rollback implements Callable<Integer> {
    @picocli.CommandLine.Mixin Connection kafka;
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "VERSION", description = "A version id (see `list`).")
    String version;

    @Option(
        names = "--signing-key",
        paramLabel = "KEY",
        defaultValue = "${env:ADVRANK_MODELS_SIGNING_KEY}",
        description =
            "Sign the rollback (consumers with trusted keys refuse an unsigned one): a PEM file"
                + " from `advrank models keygen`, or the PEM text (default:"
                + " $ADVRANK_MODELS_SIGNING_KEY, else unsigned).")
    String signingKey;

    @Override
    public Integer call() {
      ModelTopic.History history = kafka.read();
      find(history, version);
      String was = history.active().orElse("-");
      if (kafka.trust().enforced() && signer(signingKey).isEmpty()) {
        spec.commandLine()
            .getErr()
            .println("warning: unsigned rollback; consumers with trusted keys refuse it");
      }
      ModelTopic.activate(
          kafka.bootstrapServers,
          version,
          Clock.systemUTC().millis(),
          signer(signingKey),
          kafka.timeout());
      spec.commandLine().getOut().println("rolled back to " + version + " (was " + was + ")");
      return 0;
    }
  }

  @Command(
      name = "publish",
      mixinStandardHelpOptions = true,
      description =
          "Publish a model directory (manifest.json + weights) as a new version; consumers "
              + "switch to it because it is the newest (its created-at is now).")
  static final class Publish implements Callable<Integer> {
    @picocli.CommandLine.Mixin Connection kafka;
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "A model directory.")
    Path dir;

    @Option(
        names = "--version",
        description = "Publish under this version id (default: the manifest's).")
    String version;

    @Option(
        names = "--signing-key",
        paramLabel = "KEY",
        defaultValue = "${env:ADVRANK_MODELS_SIGNING_KEY}",
        description =
            "Sign the version with this Ed25519 private key: a PEM file from `advrank models"
                + " keygen`, or the PEM text (default: $ADVRANK_MODELS_SIGNING_KEY, else"
                + " unsigned).")
    String signingKey;

    @Option(
        names = "--no-thresholds",
        description =
            "Publish a version whose manifest has no detector thresholds (default: refuse; `advrank"
                + " models calibrate DIR` adds them): the monitor then calibrates on live traffic,"
                + " which may already be attacked.")
    boolean noThresholds;

    @Override
    public Integer call() throws IOException, ModelException {
      Optional<ModelSigner> signer = signer(signingKey);
      AssembledModel m = fromDirectory(dir, version, Clock.systemUTC().millis());
      if (!noThresholds && DetectorThresholds.fromManifestJson(m.manifestJson()).isEmpty()) {
        throw new IllegalArgumentException(
            "DIR: "
                + dir
                + " has no detector thresholds in its manifest: run `advrank models calibrate "
                + dir
                + "` first, or pass --no-thresholds to let the monitor calibrate on live traffic");
      }
      ModelTopic.publish(kafka.bootstrapServers, m, signer, kafka.timeout());
      spec.commandLine()
          .getOut()
          .printf(
              "published %s (%d bytes, sha256 %s…, %s) on %s%n",
              m.version(),
              m.weights().length,
              m.sha256().substring(0, 12),
              signer.map(s -> "signed by key " + s.keyId()).orElse("unsigned"),
              Topics.MODELS);
      return 0;
    }
  }

  @Command(
      name = "keygen",
      mixinStandardHelpOptions = true,
      description = {
        "Make an Ed25519 key pair for signing model versions: DIR/NAME.key (private, PKCS#8 PEM,"
            + " owner-only; give it to the publisher as --signing-key or models.signing-key) and"
            + " DIR/NAME.pub (public; put it in the consumers' models.trusted-keys directory, where"
            + " NAME is shown as the signer)."
      })
  static final class Keygen implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--name",
        required = true,
        description = "Who signs, e.g. release-team: 1-64 letters, digits, '.', '_' or '-'.")
    String name;

    @Option(names = "--out", defaultValue = "keys", description = "Directory (default: keys).")
    Path out;

    @Override
    public Integer call() throws IOException {
      if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
        throw new IllegalArgumentException(
            "--name: '" + name + "' must be 1-64 letters, digits, '.', '_' or '-'");
      }
      KeyPair pair = ModelKeys.generate();
      Path key = ModelKeys.write(pair, out, name);
      spec.commandLine()
          .getOut()
          .printf(
              "wrote %s (private: keep it secret) and %s (key id %s)%n",
              key, out.resolve(name + ".pub"), ModelKeys.fingerprint(pair.getPublic()));
      return 0;
    }
  }

  @Command(
      name = "export",
      mixinStandardHelpOptions = true,
      description =
          "Write a version from the topic into a model directory (manifest.json + weights), "
              + "e.g. to evaluate or attack it offline: advrank attack --model DIR ...")
  static final class Export implements Callable<Integer> {
    @picocli.CommandLine.Mixin Connection kafka;
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "VERSION", description = "A version id (see `list`).")
    String version;

    @Parameters(index = "1", paramLabel = "DIR", description = "Directory to write.")
    Path dir;

    @Override
    public Integer call() throws IOException, ModelException {
      AssembledModel m = find(kafka.read(), version);
      ModelManifest manifest = ModelManifest.fromJson(m.manifestJson(), m.version());
      Files.createDirectories(dir);
      WeightsFiles.write(
          dir,
          manifest.weightsFile(),
          m.weights(),
          WeightsFiles.splittable(manifest.spec().architecture()));
      Files.writeString(dir.resolve(ModelManifest.FILE_NAME), m.manifestJson());
      spec.commandLine().getOut().println("wrote " + m.version() + " to " + dir);
      return 0;
    }
  }

  /** A model directory as a version created at {@code nowMs}, optionally renamed. */
  public static AssembledModel fromDirectory(Path dir, String version, long nowMs)
      throws IOException, ModelException {
    Path manifestFile = dir.resolve(ModelManifest.FILE_NAME);
    if (!Files.isRegularFile(manifestFile)) {
      throw new IllegalArgumentException(
          "DIR: " + dir + " is not a model directory (no " + ModelManifest.FILE_NAME + ")");
    }
    ModelManifest manifest =
        ModelManifest.fromJson(Files.readString(manifestFile), manifestFile.toString());
    byte[] weights = WeightsFiles.read(dir, manifest.weightsFile());
    String id = version != null ? version : manifest.version();
    ModelManifest renamed =
        new ModelManifest(
            manifest.formatVersion(),
            id,
            manifest.parentVersion(),
            manifest.spec(),
            manifest.parameterCount(),
            manifest.weightsFile(),
            manifest.weightsDtype(),
            manifest.weightsSha256(),
            manifest.createdAt(),
            manifest.training(),
            manifest.metrics(),
            null);
    // The thresholds travel with the version: without them the monitor calibrates on live traffic.
    if (manifest.detection() != null) {
      renamed = renamed.withDetection(manifest.detection());
    }
    String parent = manifest.parentVersion() == null ? "" : manifest.parentVersion();
    return AssembledModel.of(id, parent, renamed.toJson(), nowMs, weights);
  }

  private static Optional<ModelSigner> signer(String signingKey) {
    return signingKey == null || signingKey.isBlank()
        ? Optional.empty()
        : Optional.of(ModelSigner.fromSetting("--signing-key", signingKey));
  }

  private static AssembledModel find(ModelTopic.History history, String version) {
    Optional<AssembledModel> m =
        history.versions().stream().filter(v -> v.version().equals(version)).reduce((a, b) -> b);
    if (m.isEmpty()) {
      List<String> known = history.versions().stream().map(AssembledModel::version).toList();
      throw new IllegalArgumentException(
          "VERSION: '"
              + version
              + "' is not on "
              + Topics.MODELS
              + " (versions: "
              + (known.isEmpty() ? "none" : String.join(", ", known))
              + ")");
    }
    return m.get();
  }

  private static String metric(AssembledModel m, String name) {
    try {
      Map<String, Double> metrics = ModelManifest.fromJson(m.manifestJson(), m.version()).metrics();
      Double v = metrics.get(name);
      return v == null ? "-" : String.format(Locale.ROOT, "%.4f", v);
    } catch (ModelException | RuntimeException e) {
      return "?";
    }
  }
}
