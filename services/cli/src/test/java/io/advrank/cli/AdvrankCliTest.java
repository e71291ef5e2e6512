package io.advrank.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.advrank.core.data.DatasetDirectory;
import io.advrank.core.data.ImageDataset;
import io.advrank.core.model.ModelManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdvrankCliTest {
  @TempDir Path tmp;

  @Test
  void anUnknownOptionIsNamedAndExitsWithTwo() {
    CliRun r = CliRun.of("eval", "--frobnicate");
    assertEquals(2, r.exitCode());
    assertTrue(r.err().contains("--frobnicate"), r.err());
    assertTrue(r.err().contains("advrank eval --help"), r.err());
  }

  @Test
  void aMissingDatasetSaysHowToGetIt() {
    CliRun r =
        CliRun.of(
            "eval",
            "--data",
            tmp.resolve("none").toString(),
            "--model",
            "../../models/fmnist-c2f1");
    assertEquals(2, r.exitCode());
    assertTrue(r.err().contains("apt-get install dataset-fashion-mnist"), r.err());
    assertTrue(r.err().contains("--data"), r.err());
    assertEquals(1, r.err().strip().lines().count(), "one line, no stack trace: " + r.err());
  }

  @Test
  void benchModelPrintsThroughputPerBatchSize() {
    CliRun r =
        CliRun.of(
            "bench",
            "model",
            "--batches",
            "1,4",
            "--seconds",
            "0.05",
            "--gemm-size",
            "256",
            "--threads",
            "1",
            "--json");
    assertEquals(0, r.exitCode(), r.err());
    JsonObject json = JsonParser.parseString(r.out()).getAsJsonObject();
    assertEquals(1, json.get("threads").getAsInt());
    assertTrue(json.get("roofline_gflops").getAsDouble() > 0);
    assertEquals(2, json.getAsJsonArray("points").size());
    assertTrue(
        json.getAsJsonArray("points")
                .get(1)
                .getAsJsonObject()
                .get("forwardImagesPerSecond")
                .getAsDouble()
            > 0);
  }

  @Test
  void benchmarksRefuseBadThreadAndRoundCounts() {
    for (String[] args :
        new String[][] {
          {"bench", "model", "--threads", "0"},
          {"bench", "attack", "--threads", "-2"},
          {"bench", "attack", "--rounds", "0"}
        }) {
      CliRun r = CliRun.of(args);
      assertEquals(2, r.exitCode(), r.err());
      String option = args[2];
      assertTrue(r.err().contains(option + ": must be >= 1, was"), r.err());
      assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    }
  }

  @Test
  void trainsWithoutEvaluation() {
    CliRun r =
        trainOnFixture(
            tmp.resolve("m"),
            "--epochs",
            "1",
            "--batch-size",
            "100",
            "--train-limit",
            "200",
            "--eval-limit",
            "0");
    assertEquals(0, r.exitCode(), r.err());
  }

  @Test
  void validationIsHeldOutOfTrainingAndTheTestSetIsEvaluatedOnceAtTheEnd() throws Exception {
    Path model = tmp.resolve("validated");
    CliRun r =
        trainOnFixture(
            model,
            "--epochs",
            "2",
            "--batch-size",
            "100",
            "--train-limit",
            "400",
            "--validation",
            "100",
            "--eval-limit",
            "200");
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().contains("(validation)"), r.out());
    assertTrue(r.out().contains("test, once at the end (200 images)"), r.out());
    ModelManifest m = ModelManifest.read(model);
    assertEquals(100.0, m.metrics().get("validation_images"));
    assertEquals(200.0, m.metrics().get("eval_images"));
    assertTrue(m.metrics().get("validation_r_at_1") > 0.2, m.metrics().toString());
    assertTrue(m.metrics().containsKey("r_at_1"));
    // The 100 are held out of the whole training split, then the first 400 of the rest trained on.
    assertEquals("400", m.training().get("images"), "trained on 400 not held out");
    assertTrue(m.training().get("command").contains("--validation 100"), m.training().toString());

    // eval on the same hold-out: the R@1 train reported on it (float16 as saved: one item apart).
    CliRun eval =
        CliRun.of(
            "eval",
            "--data",
            CliRun.FIXTURE.toString(),
            "--model",
            model.toString(),
            "--split",
            "validation",
            "--validation",
            "100",
            "--json");
    assertEquals(0, eval.exitCode(), eval.err());
    JsonObject measured = JsonParser.parseString(eval.out()).getAsJsonObject();
    assertEquals(100, measured.get("images").getAsInt());
    assertEquals(
        m.metrics().get("validation_r_at_1"), measured.get("r_at_1").getAsDouble(), 0.0101);

    CliRun tooMany = CliRun.of("train", "--data", CliRun.FIXTURE.toString(), "--validation", "5");
    assertEquals(2, tooMany.exitCode());
    assertTrue(tooMany.err().contains("--validation: must be 10.."), tooMany.err());
    CliRun seedAlone =
        CliRun.of("train", "--data", CliRun.FIXTURE.toString(), "--validation-seed", "0");
    assertEquals(2, seedAlone.exitCode());
    assertTrue(
        seedAlone.err().contains("--validation-seed: needs --validation N"), seedAlone.err());
    CliRun negative = CliRun.of("train", "--data", CliRun.FIXTURE.toString(), "--eval-limit", "-1");
    assertEquals(2, negative.exitCode());
    assertTrue(negative.err().contains("--eval-limit: must be >= 0, was -1"), negative.err());
  }

  @Test
  void aHoldOutRunScoresNoTestImageUnlessAskedTo() throws Exception {
    Path model = tmp.resolve("selection");
    CliRun r =
        trainOnFixture(
            model,
            "--epochs",
            "1",
            "--batch-size",
            "100",
            "--train-limit",
            "200",
            "--validation",
            "100");
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().contains("test set not scored"), r.out());
    assertFalse(r.out().contains("test, once at the end"), r.out());
    ModelManifest m = ModelManifest.read(model);
    assertTrue(m.metrics().containsKey("validation_r_at_1"), m.metrics().toString());
    assertFalse(m.metrics().containsKey("r_at_1"), m.metrics().toString());
    assertTrue(m.training().get("validation").endsWith("test not scored"), m.training().toString());
  }

  @Test
  void theValidationSeedDrawsTheHoldOutWhateverTheTrainingSeed() {
    TrainCommand seeded = new TrainCommand();
    new picocli.CommandLine(seeded).parseArgs("--seed", "3", "--validation-seed", "0");
    assertEquals(0, seeded.splitSeed(), "--validation-seed draws the hold-out");
    TrainCommand plain = new TrainCommand();
    new picocli.CommandLine(plain).parseArgs("--seed", "3");
    assertEquals(3, plain.splitSeed(), "without it, --seed does");
  }

  @Test
  void trainsWithTheAntiCollapseDefense() throws Exception {
    Path model = tmp.resolve("act");
    CliRun r =
        trainOnFixture(
            model,
            "--defense",
            "act",
            "--attack-iterations",
            "2",
            "--epochs",
            "1",
            "--batch-size",
            "100",
            "--train-limit",
            "200",
            "--eval-limit",
            "0");
    assertEquals(0, r.exitCode(), r.err());
    ModelManifest m = ModelManifest.read(model);
    assertEquals("act eps=0.3 alpha=0.3 iterations=2", m.training().get("defense"));
    assertTrue(
        m.training().get("command").contains("--defense act --eps 0.3"), m.training().toString());
    CliRun unknown = CliRun.of("train", "--defense", "trades", "--data", CliRun.FIXTURE.toString());
    assertEquals(2, unknown.exitCode());
    assertTrue(unknown.err().contains("(accepted: none, est, act)"), unknown.err());
  }

  @Test
  void theValidationSplitIsSeededDisjointAndCoversTheTrainingSet() throws Exception {
    ImageDataset train =
        DatasetDirectory.load(CliRun.FIXTURE, DatasetDirectory.Split.TRAIN).head(500);
    ImageDataset[] a = TrainCommand.validationSplit(train, 50, 7);
    ImageDataset[] b = TrainCommand.validationSplit(train, 50, 7);
    ImageDataset[] c = TrainCommand.validationSplit(train, 50, 8);
    assertEquals(450, a[0].size());
    assertEquals(50, a[1].size());
    assertArrayEquals(a[1].batch(all(50)), b[1].batch(all(50)), "same seed, same split");
    assertFalse(
        Arrays.equals(a[1].batch(all(50)), c[1].batch(all(50))), "another seed, another split");
    // Every training image lands on exactly one side: the pixel sums add up.
    assertEquals(
        sum(train.batch(all(500))), sum(a[0].batch(all(450))) + sum(a[1].batch(all(50))), 1e-3);
  }

  private static int[] all(int n) {
    return java.util.stream.IntStream.range(0, n).toArray();
  }

  private static double sum(float[] v) {
    double s = 0;
    for (float x : v) {
      s += x;
    }
    return s;
  }

  @Test
  void serveNamesTheServicesItKnows() {
    CliRun r = CliRun.of("serve", "frobnicator");
    assertEquals(2, r.exitCode());
    assertTrue(r.err().contains("producer, attack-worker, ranker"), r.err());
  }

  @Test
  void serveExpandsTheBootstrapShorthand() {
    assertEquals(
        java.util.List.of(
            "--kafka.bootstrap.servers", "h:1", "--kafka.bootstrap.servers=h:2", "--x=y"),
        java.util.List.of(
            ServeCommand.translate(
                java.util.List.of(
                    "--bootstrap-servers", "h:1", "--bootstrap-servers=h:2", "--x=y"))));
  }

  @Test
  void demoRefusesABadDuration() {
    CliRun r = CliRun.of("demo", "--duration", "soon", "--data", CliRun.FIXTURE.toString());
    assertEquals(2, r.exitCode());
    assertTrue(r.err().contains("--duration: 'soon' is not a duration"), r.err());
  }

  @Test
  void badNumbersAreRefusedWithTheirName() {
    CliRun r = CliRun.of("train", "--epochs", "0", "--data", CliRun.FIXTURE.toString());
    assertEquals(2, r.exitCode());
    assertTrue(r.err().contains("epochs"), r.err());
  }

  @Test
  void attackIterationsNeedEstAndARange() {
    String data = CliRun.FIXTURE.toString();
    CliRun plain = CliRun.of("train", "--attack-iterations", "10", "--data", data);
    assertEquals(2, plain.exitCode());
    assertTrue(plain.err().contains("--attack-iterations: needs --defense est"), plain.err());
    CliRun zero =
        CliRun.of("train", "--defense", "est", "--attack-iterations", "0", "--data", data);
    assertEquals(2, zero.exitCode());
    assertTrue(zero.err().contains("--attack-iterations: must be in 1..1000, was 0"), zero.err());
  }

  @Test
  void trainsThenEvaluatesOnTheFixtureAndRefusesATamperedModel() throws Exception {
    Path model = tmp.resolve("model");
    String data = CliRun.FIXTURE.toString();
    CliRun train =
        CliRun.of(
            "train",
            "--data",
            data,
            "--out",
            model.toString(),
            "--epochs",
            "1",
            "--batch-size",
            "200",
            "--train-limit",
            "600",
            "--eval-limit",
            "200",
            "--json",
            "--no-progress");
    assertEquals(0, train.exitCode(), train.err());
    JsonObject trained = JsonParser.parseString(train.out()).getAsJsonObject();
    assertTrue(trained.getAsJsonObject("metrics").get("r_at_1").getAsDouble() > 0.3);
    assertTrue(Files.exists(model.resolve("manifest.json")));
    assertFalse(Files.exists(model.resolve("checkpoints")), "checkpoints are pruned at the end");

    CliRun eval =
        CliRun.of("eval", "--data", data, "--model", model.toString(), "--limit", "300", "--json");
    assertEquals(0, eval.exitCode(), eval.err());
    JsonObject result = JsonParser.parseString(eval.out()).getAsJsonObject();
    assertEquals(300, result.get("images").getAsInt());
    assertEquals(trained.get("version").getAsString(), result.get("version").getAsString());

    CliRun rest = CliRun.of("eval", "--data", data, "--model", model.toString(), "--skip", "700");
    assertEquals(0, rest.exitCode(), rest.err());
    assertTrue(rest.out().contains("[700:], 300 images"), rest.out());
    CliRun tooFar =
        CliRun.of("eval", "--data", data, "--model", model.toString(), "--skip", "1000");
    assertEquals(2, tooFar.exitCode());
    assertTrue(tooFar.err().contains("--skip: must be in 0..999"), tooFar.err());

    Path weights = model.resolve("weights.ndlist");
    byte[] bytes = Files.readAllBytes(weights);
    bytes[100] ^= 1;
    Files.write(weights, bytes);
    CliRun refused = CliRun.of("eval", "--data", data, "--model", model.toString());
    assertEquals(2, refused.exitCode());
    assertTrue(refused.err().contains("sha256"), refused.err());
    assertEquals(1, refused.err().strip().lines().count(), refused.err());
  }

  /**
   * {@code train} on the test fixture into {@code out}, without progress bars, with {@code
   * options}.
   */
  private static CliRun trainOnFixture(Path out, String... options) {
    String[] fixed = {
      "train", "--data", CliRun.FIXTURE.toString(), "--out", out.toString(), "--no-progress"
    };
    String[] args = Arrays.copyOf(fixed, fixed.length + options.length);
    System.arraycopy(options, 0, args, fixed.length, options.length);
    return CliRun.of(args);
  }
}
