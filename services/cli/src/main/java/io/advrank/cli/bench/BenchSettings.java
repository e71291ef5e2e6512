package io.advrank.cli.bench;

import io.advrank.ranker.RankerSettings;
import io.advrank.runtime.settings.SettingsSource;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Settings of the services a benchmark runs in this process, made from flags as a user would give
 * them (and {@code ADVRANK_*} from the environment on top, e.g. the client's security).
 */
final class BenchSettings {
  private BenchSettings() {}

  /** The flags every service gets: the broker, and its metrics on a free port. */
  static Map<String, String> common(String bootstrap) {
    Map<String, String> flags = new HashMap<>();
    flags.put("kafka.bootstrap.servers", bootstrap);
    flags.put("metrics.port", "0");
    return flags;
  }

  /** A ranker of {@code modelDir} on {@code bootstrap}, its group and id both {@code name}. */
  static RankerSettings ranker(String bootstrap, Path modelDir, String name) {
    return ranker(bootstrap, modelDir, name, Map.of());
  }

  /** As {@link #ranker(String, Path, String)}, with {@code extra} flags on top. */
  static RankerSettings ranker(
      String bootstrap, Path modelDir, String name, Map<String, String> extra) {
    Map<String, String> flags = common(bootstrap);
    flags.putAll(extra);
    flags.put(RankerSettings.MODEL_DIR.key(), modelDir.toString());
    flags.put(RankerSettings.GROUP_ID.key(), name);
    flags.put(RankerSettings.RANKER_ID.key(), name);
    return RankerSettings.from(
        SettingsSource.load(RankerSettings.KEYS, flags, System.getenv(), null));
  }
}
