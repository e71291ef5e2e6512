package io.advrank.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * {@code train --recipe}: documented presets of {@code train}'s flags. A preset fills in only the
 * flags the user did not give, so {@code --recipe finetune --lr 1e-4} is the fine-tune recipe at
 * another learning rate. Each preset is written out as the flags it stands for, and those very
 * strings are what {@code --help} prints (docs/defense.md, "Recipes").
 */
final class TrainRecipe {
  private TrainRecipe() {}

  /**
   * EST from scratch as the paper trains it: ES-PGD ε 0.3 with the paper's schedule (α 0.01, 30
   * iterations: no --attack-iterations), the C2F1 training settings of BRIEF §2 (Adam lr 1e-3,
   * batch 1000, up to 30 epochs, margin 0.2, one random negative) and none of our variants.
   */
  static final String PAPER =
      "--defense est --eps 0.3 --epochs 30 --batch-size 1000 --lr 1e-3 --margin 0.2"
          + " --negatives random --weight-averaging 0 --eps-warmup 0";

  /**
   * The shipped EST model's fine-tune of the vanilla model (models/README.md): two passes at batch
   * 32, five inner iterations, ε ramped up over every step, margin 1.9, every in-batch negative,
   * the averaged weights saved.
   */
  static final String FINETUNE =
      "--defense est --from models/fmnist-c2f1 --epochs 2 --batch-size 32 --lr 3e-4"
          + " --attack-iterations 5 --eps-warmup all --margin 1.9 --weight-averaging 0.998"
          + " --negatives all";

  /** The presets by name. */
  static final Map<String, String> PRESETS = Map.of("paper", PAPER, "finetune", FINETUNE);

  /** The flags {@code name} stands for, in order; an unknown name is a one-line error. */
  static Map<String, String> flags(String name) {
    String preset = PRESETS.get(name.trim().toLowerCase(Locale.ROOT));
    if (preset == null) {
      throw new IllegalArgumentException(
          "--recipe: unknown '" + name + "' (accepted: paper, finetune)");
    }
    String[] words = preset.split(" ");
    Map<String, String> flags = new LinkedHashMap<>();
    for (int i = 0; i + 1 < words.length; i += 2) {
      flags.put(words[i], words[i + 1]);
    }
    return flags;
  }

  /**
   * Sets every flag of preset {@code name} that {@code parsed} did not match on {@code command}'s
   * options; returns the flags it set, as {@code --flag value}.
   */
  static List<String> apply(String name, CommandSpec command, ParseResult parsed) {
    List<String> applied = new ArrayList<>();
    for (Map.Entry<String, String> flag : flags(name).entrySet()) {
      if (parsed.hasMatchedOption(flag.getKey())) {
        continue; // given explicitly: the user's value wins
      }
      OptionSpec option = command.findOption(flag.getKey());
      if (option == null) {
        throw new IllegalStateException("recipe " + name + ": no option " + flag.getKey());
      }
      option.setValue(convert(option.type(), flag.getValue()));
      applied.add(flag.getKey() + " " + flag.getValue());
    }
    return applied;
  }

  private static Object convert(Class<?> type, String value) {
    if (type == int.class || type == Integer.class) {
      return Integer.valueOf(value);
    }
    if (type == long.class || type == Long.class) {
      return Long.valueOf(value);
    }
    if (type == float.class || type == Float.class) {
      return Float.valueOf(value);
    }
    if (type == double.class || type == Double.class) {
      return Double.valueOf(value);
    }
    if (type == Path.class) {
      return Path.of(value);
    }
    if (type == String.class) {
      return value;
    }
    throw new IllegalStateException("recipe: cannot set an option of type " + type);
  }
}
