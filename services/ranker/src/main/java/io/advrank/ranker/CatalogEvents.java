package io.advrank.ranker;

import io.advrank.runtime.kafka.DeadLetters;
import io.advrank.runtime.kafka.DeadLetters.Reason;
import io.advrank.runtime.model.ModelUpdate;
import io.advrank.runtime.wire.RejectedRecordException;
import io.advrank.serving.MirrorEvents;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the ranker does with its catalog mirror's events: unusable catalog records (and images whose
 * embedding failed) become dead letters, every embedded photo a {@link CatalogObservations} record
 * for the monitor, every rebuilt index a tick of the catalog metrics; the loaded catalog makes the
 * ranker ready, and a swapped version is reported to the model feed.
 *
 * @param onReady called once the catalog present at start is indexed
 * @param onSwapped called with each version the catalog switched to
 * @param onFatal called with the error that stopped the catalog thread
 */
record CatalogEvents(
    DeadLetters deadLetters,
    CatalogObservations observations,
    RankerMetrics metrics,
    Runnable onReady,
    Consumer<ModelUpdate> onSwapped,
    Consumer<Throwable> onFatal)
    implements MirrorEvents {
  private static final Logger LOG = LoggerFactory.getLogger(CatalogEvents.class);

  @Override
  public void rejected(ConsumerRecord<byte[], byte[]> record, RejectedRecordException e) {
    deadLetters.publish(record, e.reason(), e);
  }

  @Override
  public void embedFailed(List<ConsumerRecord<byte[], byte[]>> records, RuntimeException e) {
    records.forEach(r -> deadLetters.publish(r, Reason.PROCESSING_FAILED, e));
  }

  /** Detector signals for the monitor; best effort: a failure never holds up the catalog. */
  @Override
  public void embedded(Embedded batch) {
    try {
      observations.publish(batch);
    } catch (RuntimeException e) {
      LOG.warn("catalog observations of {} items failed: {}", batch.items().size(), e.toString());
    }
  }

  @Override
  public void rebuilt(int items) {
    metrics.catalogItems(items);
    metrics.rebuilds.increment();
  }

  @Override
  public void loaded(int items) {
    LOG.info("catalog loaded: {} items", items);
    onReady.run();
  }

  @Override
  public void swapped(ModelUpdate update) {
    onSwapped.accept(update);
  }

  @Override
  public void failed(Throwable error) {
    onFatal.accept(error);
  }
}
