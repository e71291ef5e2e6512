package io.advrank.attackworker;

import io.advrank.core.attack.AttackResult;
import io.advrank.core.model.ModelSpec;
import io.advrank.proto.v1.AdversarialVariant;
import io.advrank.proto.v1.AttackSpec;
import io.advrank.proto.v1.AttackType;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.Pixels;
import io.advrank.proto.v1.RankShift;
import io.advrank.runtime.topic.Topic;
import io.advrank.runtime.topic.Topics;
import io.advrank.runtime.wire.PixelCodec;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Builds the records the worker writes, so the loop only decides which ones: a benign event
 * forwarded byte for byte, and for an attacked one its delivered variant, its ground truth and its
 * rank shift. Keys are the event's item (or query) id on every topic, so all records about one
 * subject stay on one partition.
 */
final class OutputRecords {
  private final Supplier<String> modelVersion;
  private final Campaign campaign;
  private final ModelSpec input;

  /**
   * {@code modelVersion} gives the version the current micro-batch was attacked with; {@code input}
   * is the model's input, the shape of every perturbed image (hot swaps keep it).
   */
  OutputRecords(Supplier<String> modelVersion, Campaign campaign, ModelSpec input) {
    this.modelVersion = modelVersion;
    this.campaign = campaign;
    this.input = input;
  }

  /** The delivered topic of an input topic. */
  static Topic<String, ImageEvent> deliveredTopic(boolean catalog) {
    return catalog ? Topics.CATALOG_DELIVERED : Topics.QUERIES_DELIVERED;
  }

  /**
   * Header of a benign event forwarded outside a transaction: its input position ({@code
   * topic:partition:offset}), by which a new owner of the partition finds it ({@link
   * RecoveryScan}). Transactional writes never carry it: an aborted one must not count as done.
   */
  static final String FORWARDED_FROM = "advrank.forwarded-from";

  /**
   * Header {@code advrank.adversarial: true} on every record that carries a perturbed image (its
   * delivered event and its ground truth), so any consumer or audit can tell attack traffic apart.
   */
  static final String ADVERSARIAL = "advrank.adversarial";

  private static final byte[] TRUE = "true".getBytes(StandardCharsets.US_ASCII);

  /**
   * The same key, value and headers on the delivered topic, inside the batch's transaction: an
   * event whose attack was skipped, or a tombstone read with the batch.
   */
  static ProducerRecord<byte[], byte[]> forward(ConsumerRecord<byte[], byte[]> in) {
    boolean catalog = in.topic().equals(Topics.CATALOG.name());
    RecordHeaders headers = new RecordHeaders(in.headers().toArray());
    headers.remove(FORWARDED_FROM);
    return new ProducerRecord<>(
        deliveredTopic(catalog).name(), null, in.key(), in.value(), headers);
  }

  /**
   * A benign event (or tombstone) forwarded at once, outside transactions: the same key and value,
   * its headers plus {@link #FORWARDED_FROM}.
   */
  static ProducerRecord<byte[], byte[]> forwardNow(ConsumerRecord<byte[], byte[]> in) {
    ProducerRecord<byte[], byte[]> out = forward(in);
    String source =
        new RecoveryScan.Source(new TopicPartition(in.topic(), in.partition()), in.offset())
            .encode();
    out.headers().add(FORWARDED_FROM, source.getBytes(StandardCharsets.UTF_8));
    return out;
  }

  /**
   * The event as the ranker receives it: same ids and metadata, the perturbed image as 8-bit pixels
   * at the model's input, whatever form the original photo came in (a seller re-uploads a file).
   */
  ProducerRecord<byte[], byte[]> delivered(AttackOutcome o) {
    ImageEvent event = o.event().event();
    ImageEvent variant = event.toBuilder().setPixels(perturbed(o)).build();
    return adversarial(record(deliveredTopic(o.event().catalog()), event.getItemId(), variant));
  }

  /** The ground truth of one attack, for {@code advrank.adversarial}. */
  ProducerRecord<byte[], byte[]> variant(AttackOutcome o, long nowMs) {
    ImageEvent event = o.event().event();
    AttackResult r = o.result();
    AdversarialVariant v =
        AdversarialVariant.newBuilder()
            .setOriginalEventId(event.getEventId())
            .setItemId(event.getItemId())
            .setSpec(
                AttackSpec.newBuilder()
                    .setType(wireType(o.attack().type()))
                    .setEpsilon((float) o.attack().epsilon())
                    .setSize(o.attack().size())
                    .addAllTargetIds(o.targetIds())
                    .setSeed(campaign.eventSeed(event.getEventId())))
            .setPerturbed(perturbed(o))
            .setLinf((float) r.linf())
            .setEmbeddingShift((float) r.embeddingShift())
            .setModelVersion(modelVersion.get())
            .setProducedAtMs(nowMs)
            .build();
    return adversarial(record(Topics.ADVERSARIAL, event.getItemId(), v));
  }

  /** The measured effect of one attack, for {@code advrank.rank-shifts}. */
  ProducerRecord<byte[], byte[]> rankShift(AttackOutcome o, long nowMs) {
    ImageEvent event = o.event().event();
    AttackResult r = o.result();
    RankShift shift =
        RankShift.newBuilder()
            .setSubjectId(event.getItemId())
            .setOriginalEventId(event.getEventId())
            .setAttackType(wireType(o.attack().type()))
            .setEpsilon((float) o.attack().epsilon())
            .addAllTargetIds(o.targetIds())
            .setRankPercentileBefore(r.rankBefore())
            .setRankPercentileAfter(r.rankAfter())
            .setSuccess(r.success())
            .setModelVersion(modelVersion.get())
            .setAttackLatencyMicros(o.latencyMicros())
            .setBatchSize(o.batchSize())
            .setMeasuredAtMs(nowMs)
            .build();
    return record(Topics.RANK_SHIFTS, event.getItemId(), shift);
  }

  /** Core's attack type as the wire enum; the names match one to one. */
  static AttackType wireType(io.advrank.core.attack.AttackType type) {
    return AttackType.valueOf("ATTACK_TYPE_" + type.name());
  }

  /** 8 bits exactly: the attack quantised the image and measured its rank shift on it. */
  private Pixels perturbed(AttackOutcome o) {
    return PixelCodec.fromUint8Floats(
        input.channels(), input.height(), input.width(), o.result().perturbed());
  }

  private static ProducerRecord<byte[], byte[]> adversarial(ProducerRecord<byte[], byte[]> r) {
    r.headers().add(ADVERSARIAL, TRUE);
    return r;
  }

  private static <V> ProducerRecord<byte[], byte[]> record(
      Topic<String, V> topic, String key, V value) {
    RecordHeaders headers = new RecordHeaders();
    byte[] k = topic.keySerde().serializer().serialize(topic.name(), key);
    byte[] v = topic.valueSerde().serializer().serialize(topic.name(), headers, value);
    return new ProducerRecord<>(topic.name(), null, k, v, headers);
  }
}
