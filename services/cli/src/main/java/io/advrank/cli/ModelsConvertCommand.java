package io.advrank.cli;

import ai.djl.Device;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.ModelException;
import io.advrank.core.model.ModelManifest;
import io.advrank.core.model.ModelSpec;
import io.advrank.core.model.WeightsFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code advrank models convert DIR --to rc2f2 --out OUT}: a TorchScript model directory whose
 * module is one of advrank's own networks (robrank's rc2f2 exported by {@code
 * models/examples/export_rc2f2.py}, trained or not) as a native model directory: the same function,
 * checked on random images before anything is written, run by the native layers and stored as a
 * float16 NDList, half the TorchScript file.
 */
@Command(
    name = "convert",
    mixinStandardHelpOptions = true,
    description = {
      "Convert a TorchScript model directory whose module is advrank's rc2f2 or C2F1 (same layers,"
          + " same parameter order and shapes, e.g. robrank's rc2f2 from"
          + " models/examples/export_rc2f2.py, at any --filters and --hidden) into a native model"
          + " directory: float16 weights (half the size of model.pt) run by advrank's own layers.",
      "The two must embed "
          + EmbeddingModel.CONVERSION_CHECK_IMAGES
          + " random images alike (max |difference| <= "
          + EmbeddingModel.CONVERSION_TOLERANCE
          + " per value, in float32) or nothing is written. The manifest keeps the training"
          + " record, metrics and detector thresholds, names the source as parent version and"
          + " records the difference.",
      "Example: advrank models convert runs/act-rc2f2 --to rc2f2 --out models/fmnist-rc2f2-act"
    })
final class ModelsConvertCommand implements Callable<Integer> {
  private static final int CHECK_IMAGES = EmbeddingModel.CONVERSION_CHECK_IMAGES;

  @Mixin OutputOptions output;

  @Parameters(index = "0", paramLabel = "DIR", description = "A TorchScript model directory.")
  Path dir;

  @Option(
      names = "--to",
      required = true,
      paramLabel = "ARCH",
      description = "The native architecture; accepted: rc2f2, c2f1.")
  String to;

  @Mixin NativeOutOptions target;

  @Override
  public Integer call() throws ModelException, IOException {
    if (!ModelSpec.isNative(to)) {
      throw new IllegalArgumentException(
          "--to: unknown '" + to + "' (accepted: " + ModelSpec.RC2F2 + ", " + ModelSpec.C2F1 + ")");
    }
    target.requireFree();
    ModelSpec from = ModelManifest.read(dir).spec();
    if (!ModelSpec.TORCHSCRIPT.equals(from.architecture())) {
      throw new IllegalArgumentException(
          "DIR: " + dir + " is " + from.describe() + ", native already; only TorchScript converts");
    }
    ModelManifest written;
    String describedAs;
    double inFloat32;
    double stored;
    try (EmbeddingModel source = EmbeddingModel.load(dir, Device.cpu());
        EmbeddingModel converted = source.toNative(to)) {
      inFloat32 = source.maxDifference(converted, CHECK_IMAGES);
      describedAs = converted.describe();
      ModelManifest parent = source.manifest();
      Map<String, String> training = new LinkedHashMap<>(parent.training());
      training.put(
          "converted",
          String.format(
              Locale.ROOT,
              "from %s (%s) by advrank models convert --to %s; embeddings of %d random images"
                  + " differ by at most %.2g in float32; metrics and detector thresholds are the"
                  + " source's",
              parent.version(),
              dir,
              to,
              CHECK_IMAGES,
              inFloat32));
      written =
          converted.save(
              target.out,
              new ModelManifest(
                  ModelManifest.FORMAT_VERSION,
                  null,
                  parent.version(),
                  converted.spec(),
                  0,
                  null,
                  null,
                  null,
                  Instant.now().toString(),
                  training,
                  parent.metrics(),
                  parent.detection()),
              target.float32);
      try (EmbeddingModel reloaded = EmbeddingModel.load(target.out, Device.cpu())) {
        stored = source.maxDifference(reloaded, CHECK_IMAGES);
      }
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("dir", target.out.toString());
    json.put("version", written.version());
    json.put("parent_version", written.parentVersion());
    json.put("spec", written.spec());
    json.put("weights_dtype", written.weightsDtype());
    json.put("weights_bytes", WeightsFiles.size(target.out, written.weightsFile()));
    json.put("float32_max_difference", inFloat32);
    json.put("stored_max_difference", stored);
    output.print(
        json,
        () ->
            String.format(
                Locale.ROOT,
                "converted %s to %s as %s: %s, %s weights (%,d bytes)%n"
                    + "  embeddings of %d random images: max |difference| %.2g in float32, %.2g"
                    + " as stored%n  next: advrank table --suite robrank --model %s%n",
                dir,
                target.out,
                written.version(),
                describedAs,
                written.weightsDtype(),
                (Long) json.get("weights_bytes"),
                CHECK_IMAGES,
                inFloat32,
                stored,
                target.out));
    return 0;
  }
}
