package io.advrank.cli;

import io.advrank.core.attack.AttackProfile;
import picocli.CommandLine.Option;

/** {@code --profile paper|rob28|rob224}: how PGD steps are sized (see {@link AttackProfile}). */
public final class ProfileOption {
  @Option(
      names = "--profile",
      defaultValue = "paper",
      description =
          "PGD schedule: paper (28-px images: alpha = min(max(eps/10, 1/255), 0.01), up to 30"
              + " iterations; default eps 0.3), rob28 (robrank's 28-px budget: alpha 3/255, 32"
              + " iterations; default eps 77/255) or rob224 (224-px photos: alpha 1/255, 32"
              + " iterations; default eps 8/255) (default: ${DEFAULT-VALUE}).")
  String profile;

  public AttackProfile get() {
    try {
      return AttackProfile.parse(profile);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--" + e.getMessage());
    }
  }
}
