package io.advrank.cli;

import ai.djl.Device;
import io.advrank.core.data.DataException;
import io.advrank.core.data.DatasetDirectory;
import io.advrank.core.model.ModelException;
import io.advrank.core.model.ModelImport;
import io.advrank.core.model.ModelManifest;
import io.advrank.core.model.ModelSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code advrank models import MODEL.pt --input 3x224x224 --out DIR}: a user's TorchScript
 * embedding network as a model directory every command and service opens ({@link ModelImport}).
 */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description = {
      "Import a TorchScript embedding model (torch.jit.trace or torch.jit.script, then save) as a"
          + " model directory: model.pt unchanged plus a manifest with the input shape,"
          + " normalisation, embedding size (found by a probe forward pass), distance and sha256.",
      "Refuses, with one line naming the problem, a file that is not TorchScript, an input shape"
          + " the module rejects, an output that is not one embedding per image, NaN/Inf outputs"
          + " and a module with no gradient to its input.",
      "Example: advrank models import resnet18.pt --input 3x224x224"
          + " --mean 0.485,0.456,0.406 --std 0.229,0.224,0.225 --out models/resnet18"
    })
final class ModelsImportCommand implements Callable<Integer> {
  private static final Pattern SHAPE = Pattern.compile("(\\d{1,5})x(\\d{1,5})x(\\d{1,5})");

  @Mixin OutputOptions output;

  @Parameters(index = "0", paramLabel = "MODEL.pt", description = "The TorchScript file.")
  Path file;

  @Option(
      names = "--input",
      required = true,
      paramLabel = "CxHxW",
      description = "Input shape of one image the module takes, e.g. 3x224x224 or 1x28x28.")
  String input;

  @Option(
      names = "--mean",
      split = ",",
      paramLabel = "M",
      description =
          "Per-channel mean the module expects subtracted from pixels in [0,1], e.g."
              + " 0.485,0.456,0.406 (default: none).")
  List<Double> mean = new ArrayList<>();

  @Option(
      names = "--std",
      split = ",",
      paramLabel = "S",
      description =
          "Per-channel standard deviation pixels are divided by after the mean, e.g."
              + " 0.229,0.224,0.225 (default: none).")
  List<Double> std = new ArrayList<>();

  @Option(
      names = "--distance",
      defaultValue = ModelSpec.COSINE,
      description =
          "Ranking distance on the embeddings; accepted: cosine, d(a,b) = 1 - <f(a), f(b)> on"
              + " L2-normalised embeddings (default: ${DEFAULT-VALUE}).")
  String distance;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory to write.")
  Path out;

  @Option(
      names = "--version",
      description = "Version id to record (default: the file name and its sha256's first 12 hex).")
  String version;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description =
          "Clean photos (IDX files or one sub-folder per label; the test split when present) to"
              + " calibrate the monitor's detectors on for this version; without it the monitor"
              + " calibrates on live traffic (default: none).")
  Path calibrationData;

  @Override
  public Integer call() throws ModelException, DataException, IOException {
    int[] shape = shape(input);
    ModelImport.Options options =
        new ModelImport.Options(shape[0], shape[1], shape[2], mean, std, distance, version);
    ModelManifest imported = ModelImport.run(file, options, out, Device.cpu());
    ModelManifest m =
        calibrationData == null
            ? imported
            : DetectorCalibration.directory(
                out,
                DatasetDirectory.load(
                    calibrationData, DatasetDirectory.Split.TEST, shape[0], shape[1], shape[2]),
                Device.cpu(),
                output.quietProgress());
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("dir", out.toString());
    json.put("version", m.version());
    json.put("spec", m.spec());
    json.put("parameters", m.parameterCount());
    json.put("sha256", m.weightsSha256());
    json.put("detection", m.detection());
    output.print(
        json,
        () ->
            String.format(
                Locale.ROOT,
                "imported %s as %s: %s, %,d parameters, %s distance%s%n  sha256 %s%n"
                    + "%s  next: advrank eval --model %s --data PHOTOS%n",
                file,
                m.version(),
                m.spec().describe(),
                m.parameterCount(),
                m.spec().distance(),
                m.spec().normalises()
                    ? ", input normalised by mean " + m.spec().mean() + " std " + m.spec().std()
                    : "",
                m.weightsSha256(),
                m.detection() == null
                    ? "  no detector thresholds (--data PHOTOS calibrates them)\n"
                    : String.format(
                        Locale.ROOT,
                        "  detector thresholds on %d clean photos: query_hijack > %.2f,"
                            + " photo_inconsistency > %.2f%n",
                        m.detection().images(),
                        m.detection().queryHijack(),
                        m.detection().catalogPhoto()),
                out));
    return 0;
  }

  /** {@code CxHxW} as three positive numbers, or an error naming the option and the format. */
  static int[] shape(String text) {
    Matcher m = SHAPE.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "--input: '" + text + "' is not CxHxW (channels x height x width, e.g. 3x224x224)");
    }
    int[] shape = new int[3];
    for (int i = 0; i < 3; i++) {
      shape[i] = Integer.parseInt(m.group(i + 1));
      if (shape[i] < 1) {
        throw new IllegalArgumentException("--input: every size must be >= 1, was " + text);
      }
    }
    return shape;
  }
}
