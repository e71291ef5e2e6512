package io.advrank.defensetrainer;

import io.advrank.core.data.DatasetDirectory;
import io.advrank.core.data.ImageDataset;
import io.advrank.runtime.settings.SettingsSource;
import java.util.HashMap;
import java.util.Map;

/**
 * Small, fast settings for tests of the trainer's steps on the shipped C2F1 model: batches of 8, an
 * inner attack of 2 iterations from the first step, no weight averaging, an evaluation every 2
 * steps on a held-out set of at most 40 images with 2 probe items.
 */
final class TrainerFixture {
  private TrainerFixture() {}

  /** The fast settings, with {@code overrides} (keys as on the command line). */
  static DefenseTrainerSettings settings(Map<String, String> overrides) {
    Map<String, String> flags = new HashMap<>();
    flags.put("model.dir", DefenseTrainerIT.MODEL.toString());
    flags.put("train.batch.size", "8");
    flags.put("train.attack.iterations", "2");
    flags.put("train.epsilon.warmup.steps", "0");
    flags.put("train.weight.averaging", "0");
    flags.put("buffer.images", "256");
    flags.put("heldout.images", "40");
    flags.put("probe.items", "2");
    flags.put("eval.steps", "2");
    flags.put("version.prefix", "unit");
    flags.put("device", "cpu");
    flags.putAll(overrides);
    return DefenseTrainerSettings.from(
        SettingsSource.load(DefenseTrainerSettings.KEYS, flags, Map.of(), null));
  }

  /** The fixture's first {@code n} test images: about a quarter of them are held out by id. */
  static ImageDataset images(int n) throws Exception {
    return DatasetDirectory.load(DefenseTrainerIT.FIXTURE, DatasetDirectory.Split.TEST).head(n);
  }
}
