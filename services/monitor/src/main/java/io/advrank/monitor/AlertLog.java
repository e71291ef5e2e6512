package io.advrank.monitor;

import io.advrank.proto.v1.AnomalyAlert;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The alerts a detector raised in the retained windows, by alert id: an alert whose id is already
 * here is a repeat (same subject, signal and window) and is not published again. Because the store
 * is changelogged in the exactly-once transaction, a restart remembers what was published.
 */
final class AlertLog {
  private final KeyValueStore<String, AnomalyAlert> store;
  private final long retentionMs;

  AlertLog(KeyValueStore<String, AnomalyAlert> store, MonitorSettings settings) {
    this.store = store;
    this.retentionMs = settings.window().toMillis() * settings.alertRetentionWindows();
  }

  /** Records the alert; false if one with its id was already raised. */
  boolean addIfNew(AnomalyAlert alert) {
    if (store.get(alert.getAlertId()) != null) {
      return false;
    }
    store.put(alert.getAlertId(), alert);
    return true;
  }

  /** Forgets alerts whose window ended more than the retention before {@code streamTimeMs}. */
  void prune(long streamTimeMs) {
    List<String> old = new ArrayList<>();
    try (KeyValueIterator<String, AnomalyAlert> all = store.all()) {
      while (all.hasNext()) {
        KeyValue<String, AnomalyAlert> e = all.next();
        if (e.value.getWindowEndMs() + retentionMs < streamTimeMs) {
          old.add(e.key);
        }
      }
    }
    old.forEach(store::delete);
  }
}
