package io.advrank.runtime.model;

/**
 * A version a service should switch to, as {@link ModelFeed} hands it over with the loaded model.
 *
 * @param source the version's metadata and weights
 * @param rollback whether an activation record asked for it (it may be older than the one in use)
 * @param requestedAtMs when it was asked for: the version's creation, or the activation's time;
 *     swap latency is measured from here
 * @param live false while the feed replays the topic's history at start (no latency measured)
 */
public record ModelUpdate(
    AssembledModel source, boolean rollback, long requestedAtMs, boolean live) {
  public String version() {
    return source.version();
  }
}
