package io.advrank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class TrainRecipeTest {
  /** Parses {@code args} as train would and applies its --recipe, without training. */
  private static TrainCommand resolved(String... args) {
    TrainCommand train = new TrainCommand();
    CommandLine cli = new CommandLine(train);
    cli.parseArgs(args);
    TrainRecipe.apply(train.recipe, train.spec, cli.getParseResult());
    return train;
  }

  @Test
  void finetuneSetsTheShippedModelsFlags() {
    TrainCommand t = resolved("--recipe", "finetune");
    assertEquals("est", t.defense);
    assertEquals(Path.of("models/fmnist-c2f1"), t.from);
    assertEquals(2, t.epochs);
    assertEquals(32, t.batchSize);
    assertEquals(3e-4f, t.learningRate);
    assertEquals(5, t.attackIterations);
    assertEquals("all", t.epsWarmup);
    assertEquals(1.9f, t.margin);
    assertEquals(0.998, t.weightAveraging);
    assertEquals("all", t.negatives);
  }

  @Test
  void explicitFlagsOverrideThePreset() {
    TrainCommand t =
        resolved("--lr", "1e-4", "--recipe", "finetune", "--epochs", "1", "--eps-warmup", "500");
    assertEquals(1e-4f, t.learningRate, "given before --recipe, still the user's");
    assertEquals(1, t.epochs);
    assertEquals("500", t.epsWarmup);
    assertEquals(32, t.batchSize, "not given: the preset's");
    assertEquals(1.9f, t.margin);
  }

  @Test
  void paperIsEstFromScratchOnThePapersSchedule() {
    TrainCommand t = resolved("--recipe", "PAPER", "--epochs", "1", "--train-limit", "2000");
    assertEquals("est", t.defense);
    assertNull(t.from, "from scratch");
    assertNull(t.attackIterations, "the paper's schedule: alpha 0.01, 30 iterations at eps 0.3");
    assertEquals(0.3, t.eps);
    assertEquals(1000, t.batchSize);
    assertEquals(1e-3f, t.learningRate);
    assertEquals(0.2f, t.margin);
    assertEquals("random", t.negatives);
    assertEquals(1, t.epochs);
    assertEquals(2000, t.trainLimit);
    assertEquals(30, resolved("--recipe", "paper").epochs);
  }

  @Test
  void noRecipeLeavesTheDefaults() {
    TrainCommand t = new TrainCommand();
    new CommandLine(t).parseArgs("--lr", "2e-4");
    assertNull(t.recipe);
    assertEquals("none", t.defense);
    assertEquals(1000, t.batchSize);
    assertEquals("0", t.epsWarmup);
  }

  @Test
  void anUnknownRecipeNamesTheAcceptedOnes() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> resolved("--recipe", "trades"));
    assertEquals("--recipe: unknown 'trades' (accepted: paper, finetune)", e.getMessage());
  }

  @Test
  void helpListsWhatEachPresetSets() {
    String help = new CommandLine(new TrainCommand()).getUsageMessage().replaceAll("\\s+", " ");
    for (String preset : List.of(TrainRecipe.PAPER, TrainRecipe.FINETUNE)) {
      assertTrue(help.contains(preset), help);
    }
  }

  @Test
  void aWarmUpIsStepsOrAll() {
    assertEquals(1500, TrainCommand.parseWarmup("1500"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> TrainCommand.parseWarmup("-1"));
    assertEquals("--eps-warmup: must be a number of steps >= 0 or all, was -1", e.getMessage());
  }
}
