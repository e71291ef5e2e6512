package io.advrank.attackworker;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The benign lane: forwards an event to its delivered topic the moment it is read, through an
 * idempotent producer outside transactions, so benign traffic never waits for a micro-batch's
 * transaction. Acknowledgements arrive on the producer's thread and are handed to the worker thread
 * ({@link #drainAcknowledged}); a failed forward is fatal (the worker stops before committing past
 * it, and its successor forwards the event again).
 */
final class Forwarder implements AutoCloseable {
  /** An acknowledged forward: its input position and where it landed. */
  private record Ack(
      TopicPartition input, long inputOffset, TopicPartition landedIn, long landedAt) {}

  private final Producer<byte[], byte[]> producer;
  private final ForwardPositions positions;
  private final Queue<Ack> acknowledged = new ConcurrentLinkedQueue<>();
  private final AtomicReference<Exception> failure = new AtomicReference<>();

  Forwarder(Producer<byte[], byte[]> producer, ForwardPositions positions) {
    this.producer = producer;
    this.positions = positions;
  }

  /** Sends the record's benign forward. */
  void forward(ConsumerRecord<byte[], byte[]> in) {
    ProducerRecord<byte[], byte[]> out = OutputRecords.forwardNow(in);
    TopicPartition input = new TopicPartition(in.topic(), in.partition());
    long offset = in.offset();
    producer.send(
        out,
        (meta, error) -> {
          if (error != null) {
            failure.compareAndSet(null, error);
          } else {
            TopicPartition landedIn = new TopicPartition(meta.topic(), meta.partition());
            acknowledged.add(new Ack(input, offset, landedIn, meta.offset()));
          }
        });
  }

  /** Waits until every forward sent so far is acknowledged (or failed). */
  void flush() {
    producer.flush();
  }

  /**
   * Hands the acknowledgements received since the last call to the ledger, counting each on {@code
   * counted} (the delivered topic's name).
   *
   * @throws IllegalStateException if a forward failed: its event must not be committed as done
   */
  void drainAcknowledged(ForwardLedger ledger, Consumer<String> counted) {
    Exception error = failure.get();
    if (error != null) {
      throw new IllegalStateException("forwarding a benign event failed: " + error, error);
    }
    for (Ack a = acknowledged.poll(); a != null; a = acknowledged.poll()) {
      ledger.acknowledged(a.input(), a.inputOffset(), a.landedIn(), a.landedAt());
      // Only here, after the ledger: a position never passes a forward the ledger does not know.
      positions.acknowledged(a.landedIn(), a.landedAt());
      counted.accept(a.landedIn().topic());
    }
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
  }
}
