package io.advrank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.advrank.core.data.DatasetDirectory;
import io.advrank.core.data.ImageDataset;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.ModelManifest;
import io.advrank.core.model.ModelSpec;
import io.advrank.core.ranking.RetrievalMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code attack}, {@code table}, {@code bench attack} and {@code train --defense est}. */
class AttackCommandTest {
  @TempDir static Path tmp;
  private static String model;
  private static final String DATA = CliRun.FIXTURE.toString();

  @BeforeAll
  static void trainATinyModel() {
    model = tmp.resolve("model").toString();
    CliRun r =
        CliRun.of(
            "train",
            "--data",
            DATA,
            "--out",
            model,
            "--epochs",
            "1",
            "--train-limit",
            "400",
            "--batch-size",
            "100",
            "--eval-limit",
            "100",
            "--no-progress");
    assertEquals(0, r.exitCode(), r.err());
  }

  @Test
  void attackPrintsRankPercentileBeforeAndAfter() {
    CliRun r = attack("--type", "CA+", "--eps", "0.03", "--limit", "8", "--json");
    assertEquals(0, r.exitCode(), r.err());
    JsonObject s = JsonParser.parseString(r.out()).getAsJsonObject().getAsJsonObject("summary");
    assertEquals(8, s.get("count").getAsInt());
    assertTrue(s.get("rankAfter").getAsDouble() < s.get("rankBefore").getAsDouble(), r.out());
  }

  @Test
  void tablePrintsTheCleanRowAndOneRowPerEpsilon() {
    CliRun r =
        CliRun.of(
            "table",
            "--data",
            DATA,
            "--model",
            model,
            "--eps",
            "0.01",
            "--sizes",
            "1",
            "--limit",
            "4",
            "--no-progress");
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().contains("CA+"), r.out());
    assertTrue(r.out().contains("QA- (SP)"), r.out());
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("0 ")), r.out());
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("0.01 ")), r.out());
  }

  @Test
  void tableWithTheRobrankSuitePrintsEveryAttackAndTheErs() {
    CliRun r =
        CliRun.of(
            "table",
            "--suite",
            "robrank",
            "--data",
            DATA,
            "--model",
            model,
            "--limit",
            "4",
            "--no-progress");
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().contains("rob28: eps 77/255, alpha 3/255, 32 iterations"), r.out());
    for (String attack : List.of("CA+", "CA-", "QA+", "QA-", "TMA", "ESD", "ESR", "LTM", "GTM")) {
      assertTrue(r.out().lines().anyMatch(l -> l.startsWith(attack + " ")), attack + r.out());
    }
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("GTT ")), r.out());
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("ERS ")), r.out());
  }

  @Test
  void tableWithTheRobrankSuiteAsJsonHoldsTheErsOfItsFigures() {
    CliRun r =
        CliRun.of(
            "table",
            "--suite",
            "robrank",
            "--data",
            DATA,
            "--model",
            model,
            "--limit",
            "2",
            "--json",
            "--no-progress");
    assertEquals(0, r.exitCode(), r.err());
    JsonObject json = JsonParser.parseString(r.out()).getAsJsonObject();
    JsonObject rescaled = json.getAsJsonObject("rescaled");
    assertEquals(10, rescaled.size());
    double mean =
        rescaled.entrySet().stream().mapToDouble(e -> e.getValue().getAsDouble()).sum() / 10;
    assertEquals(mean, json.get("ers").getAsDouble(), 1e-9);
    assertTrue(json.get("max_linf").getAsDouble() <= (float) (77.0 / 255));
  }

  @Test
  void tableOnTheValidationSplitRanksTheImagesTrainHeldOut() throws Exception {
    CliRun r =
        CliRun.of(
            "table",
            "--suite",
            "robrank",
            "--data",
            DATA,
            "--model",
            model,
            "--split",
            "validation",
            "--validation",
            "100",
            "--seed",
            "3",
            "--limit",
            "2",
            "--json",
            "--no-progress");
    assertEquals(0, r.exitCode(), r.err());
    JsonObject json = JsonParser.parseString(r.out()).getAsJsonObject();
    assertEquals(100, json.get("gallery").getAsInt(), r.out());
    assertEquals("validation (seed 3)", json.get("images").getAsString());
    // The gallery is exactly train --validation 100 --seed 3's held-out set: its leave-one-out R@1.
    ImageDataset held =
        TrainCommand.validationSplit(
            DatasetDirectory.load(CliRun.FIXTURE, DatasetDirectory.Split.TRAIN), 100, 3)[1];
    double r1;
    try (EmbeddingModel m = EmbeddingModel.load(Path.of(model), Device.cpu())) {
      r1 = RetrievalMetrics.leaveOneOut(m.embed(held), held.labels()).recallAt1();
    }
    assertEquals(r1, json.get("r_at_1").getAsDouble(), 1e-6, r.out());
  }

  @Test
  void aValidationSplitNeedsItsSize() {
    assertBadInput(
        CliRun.of("table", "--data", DATA, "--model", model, "--split", "validation"),
        "--split validation: needs --validation N");
    assertBadInput(
        CliRun.of("table", "--data", DATA, "--model", model, "--split", "train"),
        "--split: unknown 'train' (accepted: test, validation)");
    assertBadInput(
        CliRun.of("table", "--data", DATA, "--model", model, "--validation", "100"),
        "--validation: needs --split validation");
  }

  @Test
  void anUnknownSuiteIsOneLineNamingTheAcceptedOnes() {
    assertBadInput(
        CliRun.of("table", "--data", DATA, "--model", model, "--suite", "rob"),
        "--suite: unknown 'rob' (accepted: paper, robrank)");
    assertBadInput(
        CliRun.of("table", "--data", DATA, "--model", model, "--suite", "robrank", "--eps", "0.1"),
        "--eps: not used by --suite robrank");
  }

  @Test
  void badAttackInputIsOneLineNamingTheValueAndRange() {
    assertBadInput(attack("--type", "CA*"), "unknown attack type 'CA*' (accepted: CA+,");
    assertBadInput(attack("--type", "CA+", "--eps", "0"), "epsilon: must be in (0, 1], was 0.0");
    assertBadInput(attack("--type", "CA+", "--eps", "1.5"), "epsilon: must be in (0, 1], was 1.5");
    assertBadInput(attack("--type", "QA+", "--size", "0"), "size: must be >= 1, was 0");
    assertBadInput(
        attack("--type", "CA+", "--size", "5000", "--limit", "1"),
        "size: must be in 1..999 for CA+ on a gallery of 1000 items, was 5000");
    assertBadInput(
        CliRun.of("table", "--data", DATA, "--model", model, "--sizes", "0"),
        "size: must be >= 1, was 0");
  }

  @Test
  void aModelForOtherImagesIsRefused() throws Exception {
    Path other = tmp.resolve("model-32");
    try (EmbeddingModel m = EmbeddingModel.create(ModelSpec.c2f1(1, 32, 32), 0, Device.cpu())) {
      m.save(
          other,
          new ModelManifest(1, null, null, null, 0, null, null, null, "now", null, null, null));
    }
    CliRun r = CliRun.of("attack", "--data", DATA, "--model", other.toString(), "--type", "CA+");
    assertBadInput(r, "1x28x28");
    assertTrue(r.err().contains("1x32x32"), r.err());
  }

  @Test
  void benchAttackPrintsThroughputAndRoofline() {
    CliRun r =
        CliRun.of(
            "bench",
            "attack",
            "--batches",
            "1,2",
            "--gallery",
            "20",
            "--seconds",
            "0.01",
            "--json");
    assertEquals(0, r.exitCode(), r.err());
    JsonObject json = JsonParser.parseString(r.out()).getAsJsonObject();
    assertEquals(4, json.getAsJsonArray("points").size());
    assertTrue(json.get("roofline_gflops").getAsDouble() > 0);
  }

  @Test
  void estFineTuningRecordsParentAndDefense() throws Exception {
    Path out = tmp.resolve("est");
    CliRun r =
        CliRun.of(
            "train",
            "--data",
            DATA,
            "--out",
            out.toString(),
            "--from",
            model,
            "--defense",
            "est",
            "--eps",
            "0.01",
            "--clean-weight",
            "0.5",
            "--eps-warmup",
            "2",
            "--margin",
            "0.8",
            "--weight-averaging",
            "0.99",
            "--negatives",
            "all",
            "--random-shift",
            "2",
            "--epochs",
            "1",
            "--train-limit",
            "200",
            "--batch-size",
            "100",
            "--eval-limit",
            "100",
            "--no-progress");
    assertEquals(0, r.exitCode(), r.err());
    String manifest = Files.readString(out.resolve("manifest.json"));
    String parent =
        JsonParser.parseString(Files.readString(Path.of(model, "manifest.json")))
            .getAsJsonObject()
            .get("version")
            .getAsString();
    JsonObject m = JsonParser.parseString(manifest).getAsJsonObject();
    assertEquals(parent, m.get("parentVersion").getAsString());
    JsonObject training = m.getAsJsonObject("training");
    assertTrue(training.get("defense").getAsString().startsWith("est eps=0.01"), manifest);
    assertTrue(
        training.get("defense").getAsString().endsWith("clean-weight=0.5 warmup-steps=2"),
        manifest);
    assertTrue(
        training.get("command").getAsString().contains("--train-limit 200"),
        "the recorded command must reproduce the run: " + manifest);
    for (String option :
        List.of(
            "--eps-warmup 2",
            "--margin 0.8",
            "--weight-averaging 0.99",
            "--negatives all",
            "--random-shift 2")) {
      assertTrue(
          training.get("command").getAsString().contains(option),
          "the recorded command must reproduce the run: " + manifest);
    }
    assertTrue(training.get("loss").getAsString().contains("margin 0.8"), manifest);
    assertTrue(training.get("loss").getAsString().contains("all in-batch negatives"), manifest);
    assertEquals(
        "random shift of up to 2 px each way, border 0",
        training.get("augmentation").getAsString(),
        manifest);
    assertBadInput(
        CliRun.of("train", "--data", DATA, "--defense", "pgd"),
        "--defense: unknown 'pgd' (accepted: none, est, act)");
    assertBadInput(
        CliRun.of("train", "--data", DATA, "--clean-weight", "0.5"),
        "--clean-weight: needs --defense est");
    assertBadInput(
        CliRun.of("train", "--data", DATA, "--defense", "est", "--clean-weight", "1"),
        "--clean-weight: must be in [0, 1), was 1.0");
    assertBadInput(
        CliRun.of("train", "--data", DATA, "--eps-warmup", "100"),
        "--eps-warmup: needs --defense est");
    assertBadInput(
        CliRun.of("train", "--data", DATA, "--defense", "est", "--eps-warmup", "-1"),
        "--eps-warmup: must be a number of steps >= 0 or all, was -1");
    assertBadInput(
        CliRun.of("train", "--data", DATA, "--margin", "2"),
        "--margin: must be in (0, 2), was 2.0");
    assertBadInput(
        CliRun.of("train", "--data", DATA, "--weight-averaging", "1"),
        "--weight-averaging: must be in [0, 1), was 1.0");
    assertBadInput(
        CliRun.of("train", "--data", DATA, "--negatives", "hardest"),
        "--negatives: unknown 'hardest' (accepted: random, all)");
    assertBadInput(
        CliRun.of("train", "--data", DATA, "--random-shift", "-1"),
        "--random-shift: must be >= 0, was -1");
    assertBadInput(
        CliRun.of("train", "--data", DATA, "--random-shift", "28"),
        "--random-shift: must be smaller than the images (28x28), was 28");
  }

  private static CliRun attack(String... args) {
    String[] all = new String[args.length + 5];
    all[0] = "attack";
    all[1] = "--data";
    all[2] = DATA;
    all[3] = "--model";
    all[4] = model;
    System.arraycopy(args, 0, all, 5, args.length);
    return CliRun.of(all);
  }

  private static void assertBadInput(CliRun r, String message) {
    assertEquals(2, r.exitCode(), r.err());
    assertTrue(r.err().contains(message), r.err());
    assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
  }
}
