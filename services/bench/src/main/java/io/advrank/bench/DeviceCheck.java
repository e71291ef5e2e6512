package io.advrank.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.util.Utils;
import io.advrank.core.attack.AttackProfile;
import io.advrank.core.attack.AttackType;
import io.advrank.core.defense.EstDefense;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.Embeddings;
import io.advrank.core.model.ModelImport;
import io.advrank.core.model.ModelManifest;
import io.advrank.core.train.TrainSettings;
import io.advrank.core.train.TripletTrainer;
import io.advrank.core.train.Triplets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Proves a device end to end on a user's TorchScript model, with nothing but {@code core} and
 * libtorch on the classpath (the GPU machines lent to us have no Kafka, and carry little): imports
 * the model onto the device, times CA+ under robrank's rob224 schedule at several batch sizes,
 * takes EST steps, saves the hardened module and checks that it reopens to the same embeddings. One
 * line per result, {@code key: value}.
 *
 * <pre>
 * java -cp CORE_CLASSPATH io.advrank.bench.DeviceCheck MODEL.pt gpu 3x224x224 1,8,32 [GALLERY]
 * </pre>
 */
public final class DeviceCheck {
  private static final List<Double> IMAGENET_MEAN = List.of(0.485, 0.456, 0.406);
  private static final List<Double> IMAGENET_STD = List.of(0.229, 0.224, 0.225);
  private static final int EST_BATCH = 32;

  private DeviceCheck() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 4) {
      System.err.println("usage: DeviceCheck MODEL.pt cpu|gpu CxHxW BATCHES [GALLERY]");
      System.exit(2);
    }
    Path file = Path.of(args[0]);
    Device device = "gpu".equals(args[1]) ? Device.gpu() : Device.cpu();
    int[] shape = Arrays.stream(args[2].split("x")).mapToInt(Integer::parseInt).toArray();
    int[] batches = Arrays.stream(args[3].split(",")).mapToInt(Integer::parseInt).toArray();
    int gallery = args.length > 4 ? Integer.parseInt(args[4]) : 2000;
    print("engine", Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion());
    print("gpus_seen", Engine.getInstance().getGpuCount());
    print("device", device);

    Path dir = Files.createTempDirectory("advrank-device-check");
    try {
      check(file, device, shape, batches, gallery, dir);
    } finally {
      Utils.deleteQuietly(dir); // DJL's: this module depends on core alone
    }
  }

  private static void check(
      Path file, Device device, int[] shape, int[] batches, int gallery, Path dir)
      throws Exception {
    long t0 = System.nanoTime();
    ModelManifest m =
        ModelImport.run(
            file,
            new ModelImport.Options(
                shape[0], shape[1], shape[2], IMAGENET_MEAN, IMAGENET_STD, "cosine", null),
            dir.resolve("imported"),
            device);
    print("import", m.spec().describe() + ", " + m.parameterCount() + " parameters");
    print("import_seconds", seconds(t0));

    try (EmbeddingModel model = EmbeddingModel.load(dir.resolve("imported"), device)) {
      print("model_device", model.device());
      // The network alone: forward, and forward + backward to the input (an attack step's core).
      for (ModelBenchmark.Point p : new ModelBenchmark(model, 3).run(batches)) {
        print(
            "network_batch_" + p.batch(),
            String.format(
                Locale.ROOT,
                "forward %.1f images/s, forward+backward %.1f images/s",
                p.forwardImagesPerSecond(),
                p.attackStepImagesPerSecond()));
      }
      double eps = AttackProfile.ROB224.defaultEpsilon();
      // TorchScript's graph optimiser on (libtorch's default), then off, in the same minutes.
      for (String optimise : List.of("true", "false")) {
        System.setProperty("ai.djl.pytorch.graph_optimizer", optimise);
        for (AttackBenchmark.Point p :
            new AttackBenchmark(model, gallery, 3)
                .optSchedule(AttackProfile.ROB224, eps)
                .run(new AttackType[] {AttackType.CA_PLUS}, batches, 1)) {
          print(
              "ca_plus_rob224_batch_" + p.batch() + "_graph_optimizer_" + optimise,
              String.format(
                  Locale.ROOT,
                  "%.2f attacks/s, %.1f image-steps/s",
                  p.attacksPerSecond(),
                  p.imageStepsPerSecond()));
        }
      }
      est(model, dir.resolve("hardened"), device);
    }
  }

  /** Three EST steps (rob224 inner attack) at batch 32, then save and reopen. */
  private static void est(EmbeddingModel model, Path out, Device device) throws Exception {
    Random random = new Random(0);
    float[] pixels = new float[EST_BATCH * model.spec().imageSize()];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = random.nextFloat();
    }
    int[] labels = new int[EST_BATCH]; // pair-laid: rows 2k and 2k + 1 share label k
    for (int i = 0; i < EST_BATCH; i++) {
      labels[i] = i / 2;
    }
    Triplets triplets = Triplets.randomNegatives(labels, random);
    EstDefense est = new EstDefense(AttackProfile.ROB224.schedule(8.0 / 255));
    TripletTrainer trainer =
        est.trainer(model, new TrainSettings(1, EST_BATCH, 1e-4f, 1e-7f, 0.2f, 0));
    trainer.step(pixels, triplets); // warm-up
    long t0 = System.nanoTime();
    int steps = 3;
    float loss = 0;
    for (int i = 0; i < steps; i++) {
      loss = trainer.step(pixels, triplets);
    }
    double perStep = seconds(t0) / steps;
    print(
        "est_step_batch_" + EST_BATCH,
        String.format(Locale.ROOT, "%.3f s/step (loss %.4f)", perStep, loss));
    Embeddings before = model.embed(pixels, EST_BATCH);
    ModelManifest draft =
        new ModelManifest(
            ModelManifest.FORMAT_VERSION,
            null,
            model.version(),
            model.spec(),
            0,
            null,
            null,
            null,
            Instant.now().toString(),
            Map.of("defense", est.describe()),
            Map.of(),
            null);
    model.save(out, draft);
    try (EmbeddingModel reopened = EmbeddingModel.load(out, device)) {
      float[] a = before.values();
      float[] b = reopened.embed(pixels, EST_BATCH).values();
      double max = 0;
      for (int i = 0; i < a.length; i++) {
        max = Math.max(max, Math.abs(a[i] - b[i]));
      }
      print("hardened_saved", out.resolve("model.pt") + " " + Files.size(out.resolve("model.pt")));
      print("hardened_reopened_max_abs_diff", max);
    }
  }

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  private static void print(String key, Object value) {
    System.out.println(key + ": " + value);
    System.out.flush();
  }
}
