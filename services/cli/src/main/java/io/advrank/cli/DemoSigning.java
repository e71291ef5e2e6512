package io.advrank.cli;

import io.advrank.runtime.lifecycle.TempDirectory;
import io.advrank.runtime.model.ModelKeys;
import io.advrank.runtime.model.ModelSigning;
import io.advrank.runtime.settings.SettingsSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Map;

/**
 * The single-process demo's model signing: unless the user configured keys ({@code
 * ADVRANK_MODELS_TRUSTED_KEYS} or {@code ADVRANK_MODELS_SIGNING_KEY}), the demo makes a fresh key
 * pair in a temporary directory, the defense-trainer signs with it and the ranker and attack-worker
 * trust only it, so signed versions are checked end to end on a fresh machine. The directory is
 * deleted on close.
 */
final class DemoSigning implements AutoCloseable {
  static final String KEY_NAME = "demo";

  private final Path dir; // null when the user's own settings apply

  private DemoSigning(Path dir) {
    this.dir = dir;
  }

  /** A fresh demo key, or none if {@code env} configures signing. */
  static DemoSigning create(Map<String, String> env) throws IOException {
    if (env.containsKey(SettingsSource.envName(ModelSigning.TRUSTED_KEYS))
        || env.containsKey(SettingsSource.envName(ModelSigning.SIGNING_KEY))) {
      return new DemoSigning(null);
    }
    Path dir = Files.createTempDirectory("advrank-demo-keys");
    KeyPair pair = ModelKeys.generate();
    ModelKeys.write(pair, dir, KEY_NAME);
    System.err.printf(
        "demo: model versions are signed with a fresh key '%s' (id %s), the only one trusted%n",
        KEY_NAME, ModelKeys.fingerprint(pair.getPublic()));
    return new DemoSigning(dir);
  }

  /** Makes a consumer trust the demo key. */
  void trust(Map<String, String> flags) {
    if (dir != null) {
      flags.put(ModelSigning.TRUSTED_KEYS, dir.resolve(KEY_NAME + ".pub").toString());
    }
  }

  /** Makes a publisher sign with the demo key and trust it. */
  void sign(Map<String, String> flags) {
    if (dir != null) {
      trust(flags);
      flags.put(ModelSigning.SIGNING_KEY, dir.resolve(KEY_NAME + ".key").toString());
    }
  }

  @Override
  public void close() throws IOException {
    if (dir == null) {
      return;
    }
    TempDirectory.deleteRecursively(dir);
  }
}
