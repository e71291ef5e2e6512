package io.advrank.producer;

import io.advrank.proto.v1.ImageEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the producer from sending an event Kafka would refuse, or one it cannot build: such an
 * event is skipped with one warning naming the image, and counted in {@code
 * advrank_events_refused_total{topic,reason}} ({@code too_large}, {@code unreadable}); the stream
 * goes on. Without it a photo over the limit fails its send with {@code RecordTooLargeException},
 * which stops the producer.
 */
final class SendCheck {
  private static final Logger LOG = LoggerFactory.getLogger(SendCheck.class);

  /** Room for the record's key, headers and batch framing beside the value, in bytes. */
  static final int RECORD_OVERHEAD_BYTES = 512;

  /** Builds one event; may read its image's file. */
  @FunctionalInterface
  interface EventSource {
    ImageEvent build() throws IOException;
  }

  private final MeterRegistry registry;
  private final ImageShape shape;
  private volatile long skipped;

  /** {@code shape} is named in the advice for a photo that is too large. */
  SendCheck(MeterRegistry registry, ImageShape shape) {
    this.registry = registry;
    this.shape = shape;
  }

  /** The event for {@code topic}, or empty if it must not be sent; {@code what} names the image. */
  Optional<ImageEvent> check(String topic, String what, EventSource source) {
    ImageEvent event;
    try {
      event = source.build();
    } catch (IOException e) {
      refuse(topic, "unreadable", "skipping %s: cannot read it: %s", what, e);
      return Optional.empty();
    }
    int bytes = event.getSerializedSize() + event.getItemId().length() + RECORD_OVERHEAD_BYTES;
    if (bytes > ProducerClients.MAX_REQUEST_BYTES) {
      refuse(
          topic,
          "too_large",
          "skipping %s: its event is %,d bytes, over Kafka's message limit of %,d"
              + " (max.request.size); send a smaller file, or set %s=png to send it at %s",
          what,
          bytes,
          ProducerClients.MAX_REQUEST_BYTES,
          ProducerSettings.IMAGE_ENCODING.key(),
          shape.text());
      return Optional.empty();
    }
    return Optional.of(event);
  }

  /** Events skipped so far. */
  long skipped() {
    return skipped;
  }

  private void refuse(String topic, String reason, String format, Object... args) {
    LOG.warn(String.format(Locale.ROOT, format, args));
    skipped++; // only the sending thread writes it
    Counter.builder("advrank.events.refused")
        .description("Events the producer would not send: too large for Kafka, or unreadable")
        .tag("topic", topic)
        .tag("reason", reason)
        .register(registry)
        .increment();
  }
}
