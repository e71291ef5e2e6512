package io.advrank.defensetrainer;

import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.ModelException;
import io.advrank.core.model.ModelSpec;
import io.advrank.runtime.model.AssembledModel;
import io.advrank.runtime.model.ModelFeed;
import io.advrank.runtime.model.ModelTopic;
import io.advrank.runtime.model.ModelUpdate;
import io.advrank.serving.ServedVersions;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code advrank.models} on the settings' broker: the active version read at start, the served
 * versions followed as the ranker and the attack-worker follow them ({@link ServedVersions}, so a
 * rollback or a version published by someone else reaches the trainer), and versions published
 * signed with the settings' key.
 */
final class KafkaModelChannel implements ModelChannel {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaModelChannel.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final DefenseTrainerSettings settings;
  private final MeterRegistry registry;
  private final Clock clock;

  KafkaModelChannel(DefenseTrainerSettings settings, MeterRegistry registry, Clock clock) {
    this.settings = settings;
    this.registry = registry;
    this.clock = clock;
  }

  @Override
  public AssembledModel startingVersion() throws ModelException {
    ModelTopic.History history =
        ModelTopic.read(settings.kafka().bootstrapServers(), settings.signing().trust(), TIMEOUT);
    if (history.active().isPresent()) {
      String active = history.active().get();
      return history.versions().stream()
          .filter(v -> v.version().equals(active))
          .reduce((a, b) -> b)
          .orElseThrow();
    }
    return Versions.fromDirectory(settings.modelDir());
  }

  @Override
  public Following follow(
      ModelSpec spec, AssembledModel parent, ModelFeed.Listener<EmbeddingModel> listener) {
    if (settings.signing().trust().enforced() && settings.signing().signer().isEmpty()) {
      LOG.warn(
          "defense-trainer trusts signed versions only but has no models.signing-key: consumers"
              + " with the same keys will refuse every version it publishes");
    }
    ModelFeed<EmbeddingModel> feed =
        ServedVersions.feed(
            "defense-trainer",
            settings.kafka().bootstrapServers(),
            settings.signing().trust(),
            spec,
            settings.device().resolve(),
            parent.version(),
            parent.createdAtMs(),
            listener,
            registry,
            clock);
    feed.start();
    return new Following() {
      @Override
      public void served(ModelUpdate update) {
        feed.served(update);
      }

      @Override
      public void close() {
        feed.close();
      }
    };
  }

  @Override
  public void publish(AssembledModel version) {
    ModelTopic.publish(
        settings.kafka().bootstrapServers(), version, settings.signing().signer(), TIMEOUT);
  }
}
