package io.advrank.serving;

import ai.djl.Device;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.ModelSpec;
import io.advrank.core.model.ReceivedModel;
import io.advrank.runtime.model.ModelFeed;
import io.advrank.runtime.model.ModelTrust;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Objects;

/**
 * The model versions a service serves, as they arrive on {@code advrank.models}: a {@link
 * ModelFeed} whose loader opens each version through core's {@link ReceivedModel} and refuses one
 * the service cannot serve (another architecture, input shape or embedding size: {@code
 * incompatible}; a manifest whose sha256 differs from the chunks': {@code tampered}; weights that
 * do not load: {@code load_failed}; with trusted keys, a missing or wrong signature: {@code
 * signature}), so every service refuses, dead-letters and counts ({@code
 * advrank_model_refused_total{service,reason}}) the same way. The listener receives each loaded
 * version and owns it from then on; the service calls {@link ModelFeed#served} once it switched.
 *
 * <p>Services that keep a catalog embedded with the served version hand the versions to a {@link
 * CatalogMirror} ({@code mirror::offer}).
 */
public final class ServedVersions {
  private ServedVersions() {}

  /**
   * A feed for {@code service} that serves {@code initial} until told otherwise, accepting only
   * versions {@code trust} accepts; versions are loaded on {@code device}. Nothing is read before
   * {@link ModelFeed#start()}.
   */
  public static ModelFeed<EmbeddingModel> feed(
      String service,
      String bootstrapServers,
      ModelTrust trust,
      EmbeddingModel initial,
      Device device,
      ModelFeed.Listener<EmbeddingModel> listener,
      MeterRegistry registry,
      Clock clock) {
    Objects.requireNonNull(initial, "initial");
    return feed(
        service,
        bootstrapServers,
        trust,
        initial.spec(),
        device,
        initial.version(),
        ReceivedModel.createdAtMs(initial.manifest()),
        listener,
        registry,
        clock);
  }

  /**
   * A feed for {@code service}, which serves models of {@code served}'s spec and now serves {@code
   * initialVersion}, created at {@code initialCreatedAtMs}; versions are loaded on {@code device}
   * once {@code trust} accepted their signature.
   */
  public static ModelFeed<EmbeddingModel> feed(
      String service,
      String bootstrapServers,
      ModelTrust trust,
      ModelSpec served,
      Device device,
      String initialVersion,
      long initialCreatedAtMs,
      ModelFeed.Listener<EmbeddingModel> listener,
      MeterRegistry registry,
      Clock clock) {
    // the loader's arguments are checked before the clients are built, so none leak
    VersionLoader loader =
        new VersionLoader(
            Objects.requireNonNull(served, "served"), Objects.requireNonNull(device, "device"));
    return new ModelFeed<>(
        service,
        ModelFeed.clients(bootstrapServers, service),
        initialVersion,
        initialCreatedAtMs,
        trust,
        loader,
        listener,
        registry,
        clock);
  }
}
