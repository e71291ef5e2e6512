package io.advrank.serving;

import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.Embeddings;
import io.advrank.runtime.wire.RejectedRecordException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Takes one poll of catalog records into the {@link CatalogStore}: a tombstone removes its item, a
 * record the decoder accepts is embedded with the served version (one call for the whole poll, the
 * micro-batch) and replaces its item; what the decoder refuses goes to {@link
 * MirrorEvents#rejected}.
 */
final class CatalogIngest {
  private final CatalogMirror.Decoder decoder;
  private final MirrorEvents events;
  private final CatalogStore store;
  private final Clock clock;

  CatalogIngest(
      CatalogMirror.Decoder decoder, MirrorEvents events, CatalogStore store, Clock clock) {
    this.decoder = decoder;
    this.events = events;
    this.store = store;
    this.clock = clock;
  }

  void take(Iterable<ConsumerRecord<byte[], byte[]>> records, EmbeddingModel model) {
    List<ConsumerRecord<byte[], byte[]>> accepted = new ArrayList<>();
    List<CatalogItem> items = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      if (r.value() == null && r.key() != null) {
        store.remove(new String(r.key(), StandardCharsets.UTF_8), clock.millis());
        continue;
      }
      try {
        items.add(decoder.read(r));
        accepted.add(r);
      } catch (RejectedRecordException e) {
        events.rejected(r, e);
      }
    }
    if (!items.isEmpty()) {
      embedInto(model, items, accepted);
    }
  }

  private void embedInto(
      EmbeddingModel model, List<CatalogItem> items, List<ConsumerRecord<byte[], byte[]>> records) {
    int size = model.spec().imageSize();
    float[] pixels = new float[items.size() * size];
    for (int i = 0; i < items.size(); i++) {
      System.arraycopy(items.get(i).pixels(), 0, pixels, i * size, size);
    }
    Embeddings embeddings;
    try {
      embeddings = model.embed(pixels, items.size());
    } catch (RuntimeException e) {
      events.embedFailed(records, e);
      return;
    }
    long now = clock.millis();
    List<float[]> previous = items.stream().map(i -> store.embedding(i.itemId())).toList();
    events.embedded(
        new MirrorEvents.Embedded(model, pixels, items, records, embeddings, previous, now));
    for (int i = 0; i < items.size(); i++) {
      store.put(items.get(i), embeddings.row(i), now);
    }
  }
}
