package io.advrank.cli.bench;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.advrank.proto.v1.AdversarialVariant;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.ImageKind;
import io.advrank.proto.v1.ModelDecision;
import io.advrank.proto.v1.ModelVersion;
import io.advrank.proto.v1.Pixels;
import io.advrank.proto.v1.RankShift;
import io.advrank.runtime.kafka.DeadLetters.Reason;
import io.advrank.runtime.topic.Topics;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The bench fuzzer's malformed records, one {@link Kind} at a time: for an {@link ImageEvent}
 * topic, for {@code advrank.adversarial}, for a topic of another message and for {@code
 * advrank.models}. Records are built from a valid record of the run, so every kind breaks one rule;
 * the reason each consumer must give is {@link BenchFuzzConsumers}'. The randomness is a seeded
 * {@link Random}.
 */
final class BenchFuzzRecords {
  /** What is wrong with a record, and the reason its consumer must give. */
  enum Kind {
    RANDOM_BYTES(Reason.MALFORMED),
    TRUNCATED(Reason.MALFORMED),
    WRONG_TYPE(Reason.INVALID),
    WRONG_KIND(Reason.INVALID),
    UNKNOWN_KIND(Reason.UNSUPPORTED),
    MISSING_IDS(Reason.INVALID),
    WRONG_PIXEL_COUNT(Reason.INVALID),
    WRONG_SHAPE(Reason.UNSUPPORTED),
    NAN_INF_PIXELS(Reason.INVALID),
    OUT_OF_RANGE_PIXELS(Reason.INVALID),
    NO_PIXELS(Reason.INVALID),
    OVERSIZED(Reason.INVALID),
    NULL_KEY(Reason.INVALID),
    TOMBSTONE(Reason.INVALID),
    /** A one-chunk model version whose weights do not match its sha256. */
    TAMPERED_WEIGHTS(Reason.INVALID),
    /** Chunk 1 of a model version whose chunk 0 never came. */
    MID_VERSION(Reason.INVALID),
    /** An activation record (a rollback) of a version that is not on the topic. */
    UNKNOWN_ACTIVATION(Reason.INVALID),
    /** A whole, consistent model version without a signature. */
    UNSIGNED(Reason.INVALID),
    /** A whole, consistent model version signed by a key no consumer trusts. */
    UNKNOWN_KEY(Reason.INVALID),
    /** A version signed by the trusted key whose weights (and announced sha256) then changed. */
    SIGNED_TAMPERED_WEIGHTS(Reason.INVALID),
    /** A version signed by the trusted key whose manifest then changed. */
    TAMPERED_MANIFEST(Reason.INVALID);

    final Reason reason;

    Kind(Reason reason) {
      this.reason = reason;
    }

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** A record to send: a null key or value is sent as null. */
  record Fuzzed(Kind kind, byte[] key, byte[] value) {}

  private final Random random;
  private final int oversizeBytes;

  /**
   * @param oversizeBytes the size of an {@link Kind#OVERSIZED} value: above the consumer's limit
   */
  BenchFuzzRecords(long seed, int oversizeBytes) {
    this.random = new Random(seed);
    this.oversizeBytes = oversizeBytes;
  }

  /**
   * The kinds that apply to a topic. Null keys and tombstones do not apply to the compacted catalog
   * topics: the broker refuses a record without a key there, and a tombstone is a legitimate
   * delete. Oversized values apply only where the consumer has a size limit ({@code kafka}-side
   * limits are the broker's).
   */
  static List<Kind> kinds(boolean compacted, boolean sizeLimited) {
    return Arrays.stream(Kind.values())
        .filter(k -> k.ordinal() <= Kind.TOMBSTONE.ordinal())
        .filter(k -> !(compacted && (k == Kind.NULL_KEY || k == Kind.TOMBSTONE)))
        .filter(k -> sizeLimited || k != Kind.OVERSIZED)
        .toList();
  }

  /** {@code valid} broken in the way of {@code kind}; {@code otherKind} is the wrong image kind. */
  Fuzzed make(Kind kind, ImageEvent valid, ImageKind otherKind) {
    byte[] key = valid.getItemId().getBytes(StandardCharsets.UTF_8);
    Pixels p = valid.getPixels();
    return switch (kind) {
      case RANDOM_BYTES ->
          new Fuzzed(kind, key, randomNonProto(1 + random.nextInt(2048), ImageEvent.parser()));
      case TRUNCATED -> new Fuzzed(kind, key, truncated(valid.toByteArray(), ImageEvent.parser()));
      case WRONG_TYPE ->
          new Fuzzed(
              kind,
              key,
              RankShift.newBuilder()
                  .setSubjectId(valid.getItemId())
                  .setOriginalEventId(valid.getEventId())
                  .build()
                  .toByteArray());
      case WRONG_KIND ->
          new Fuzzed(kind, key, valid.toBuilder().setKind(otherKind).build().toByteArray());
      case UNKNOWN_KIND ->
          new Fuzzed(kind, key, valid.toBuilder().setKindValue(99).build().toByteArray());
      case MISSING_IDS ->
          new Fuzzed(kind, key, valid.toBuilder().clearEventId().build().toByteArray());
      case WRONG_PIXEL_COUNT, WRONG_SHAPE, NAN_INF_PIXELS, OUT_OF_RANGE_PIXELS, NO_PIXELS ->
          new Fuzzed(kind, key, valid.toBuilder().setPixels(broken(kind, p)).build().toByteArray());
      case OVERSIZED -> new Fuzzed(kind, key, oversized(valid));
      case NULL_KEY -> new Fuzzed(kind, null, valid.toByteArray());
      case TOMBSTONE -> new Fuzzed(kind, key, null);
      default -> throw new IllegalArgumentException(kind + " applies to model versions only");
    };
  }

  /** The kinds of {@link #variant}: those of any message, and broken perturbed pixels. */
  static final List<Kind> VARIANT_KINDS =
      List.of(
          Kind.RANDOM_BYTES,
          Kind.TRUNCATED,
          Kind.MISSING_IDS,
          Kind.TOMBSTONE,
          Kind.WRONG_PIXEL_COUNT,
          Kind.WRONG_SHAPE,
          Kind.NAN_INF_PIXELS,
          Kind.OUT_OF_RANGE_PIXELS,
          Kind.NO_PIXELS);

  /**
   * {@code valid}, an adversarial variant keyed by its item, broken in the way of {@code kind}, one
   * of {@link #VARIANT_KINDS}; missing ids are both the item and the original event.
   */
  Fuzzed variant(Kind kind, AdversarialVariant valid) {
    byte[] key = valid.getItemId().getBytes(StandardCharsets.UTF_8);
    return switch (kind) {
      case MISSING_IDS ->
          new Fuzzed(
              kind,
              key,
              valid.toBuilder().clearItemId().clearOriginalEventId().build().toByteArray());
      case WRONG_PIXEL_COUNT, WRONG_SHAPE, NAN_INF_PIXELS, OUT_OF_RANGE_PIXELS, NO_PIXELS ->
          new Fuzzed(
              kind,
              key,
              valid.toBuilder()
                  .setPerturbed(broken(kind, valid.getPerturbed()))
                  .build()
                  .toByteArray());
      default -> make(kind, valid.getItemId(), valid, valid);
    };
  }

  /** The kinds of {@link #model}. */
  static final List<Kind> MODEL_KINDS =
      List.of(
          Kind.RANDOM_BYTES,
          Kind.TRUNCATED,
          Kind.MISSING_IDS,
          Kind.TAMPERED_WEIGHTS,
          Kind.MID_VERSION,
          Kind.UNKNOWN_ACTIVATION);

  /**
   * A record of {@code advrank.models} for the version {@code version} (never published), broken in
   * the way of {@code kind}, one of {@link #MODEL_KINDS} or {@link BenchFuzzSigning#KINDS}. Each is
   * refused on its own: none leaves a version half-assembled, so no later record is refused for it.
   * The tampered version and the activation carry the trusted key's signature, so that consumers
   * refuse them for what they break ({@code tampered}, {@code unknown_version}) and not for a
   * missing signature.
   */
  Fuzzed model(Kind kind, String version, BenchFuzzSigning signing) {
    if (BenchFuzzSigning.KINDS.contains(kind)) {
      return signing.model(kind, version);
    }
    byte[] weights = new byte[64];
    random.nextBytes(weights);
    ModelVersion chunk =
        ModelVersion.newBuilder()
            .setVersion(version)
            .setSha256("0".repeat(64)) // not the weights' sha256
            .setManifestJson("{}")
            .setCreatedAtMs(System.currentTimeMillis())
            .setChunkIndex(0)
            .setChunkCount(1)
            .setWeightsSize(weights.length)
            .setWeights(ByteString.copyFrom(weights))
            .build();
    String key = Topics.modelChunkKey(version, 0);
    return switch (kind) {
      case RANDOM_BYTES, TRUNCATED -> make(kind, key, chunk, chunk);
      case MISSING_IDS ->
          new Fuzzed(kind, bytes(key), chunk.toBuilder().clearVersion().build().toByteArray());
      case TAMPERED_WEIGHTS -> new Fuzzed(kind, bytes(key), signing.signed(chunk).toByteArray());
      case MID_VERSION ->
          new Fuzzed(
              kind,
              bytes(Topics.modelChunkKey(version, 1)),
              chunk.toBuilder().setChunkIndex(1).setChunkCount(2).build().toByteArray());
      case UNKNOWN_ACTIVATION ->
          new Fuzzed(
              kind,
              bytes(Topics.MODEL_ACTIVE_KEY),
              signing.signedActivation(version, System.currentTimeMillis()).toByteArray());
      default -> throw new IllegalArgumentException(kind + " does not apply to model versions");
    };
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** {@code p} broken in the way of a pixel {@code kind}. */
  private Pixels broken(Kind kind, Pixels p) {
    int n = p.getChannels() * p.getHeight() * p.getWidth();
    return switch (kind) {
      case WRONG_PIXEL_COUNT ->
          p.toBuilder().setUint8(p.getUint8().substring(0, random.nextInt(n))).build();
      case WRONG_SHAPE -> p.toBuilder().setChannels(p.getChannels() + 2).build();
      case NAN_INF_PIXELS -> floats(p, n, nanOrInf());
      case OUT_OF_RANGE_PIXELS -> floats(p, n, random.nextBoolean() ? -0.5f : 1.5f);
      case NO_PIXELS -> p.toBuilder().clearData().build();
      default -> throw new IllegalArgumentException(kind + " is not a pixel kind");
    };
  }

  /** Float pixels, all valid but one at a random index, which is {@code bad}. */
  private Pixels floats(Pixels shape, int n, float bad) {
    ByteBuffer b = ByteBuffer.allocate(n * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    int at = random.nextInt(n);
    for (int i = 0; i < n; i++) {
      b.putFloat(i == at ? bad : random.nextFloat());
    }
    return shape.toBuilder().setFloat32Le(ByteString.copyFrom(b.array())).build();
  }

  private float nanOrInf() {
    return switch (random.nextInt(3)) {
      case 0 -> Float.NaN;
      case 1 -> Float.POSITIVE_INFINITY;
      default -> Float.NEGATIVE_INFINITY;
    };
  }

  /** Random bytes that {@code parser} cannot read (random bytes sometimes are a message). */
  private byte[] randomNonProto(int length, Parser<? extends Message> parser) {
    while (true) {
      byte[] b = new byte[length];
      random.nextBytes(b);
      if (!parses(b, parser)) {
        return b;
      }
    }
  }

  /** The message's bytes cut in its middle third, never at a field boundary (never parseable). */
  private byte[] truncated(byte[] bytes, Parser<? extends Message> parser) {
    while (true) {
      int cut = bytes.length / 4 + random.nextInt(bytes.length / 2);
      byte[] b = Arrays.copyOf(bytes, cut);
      if (!parses(b, parser)) {
        return b;
      }
    }
  }

  /** A valid event padded with an unknown field to {@link #oversizeBytes}. */
  private byte[] oversized(ImageEvent valid) {
    return padded(valid);
  }

  /** A valid message padded with an unknown field to {@link #oversizeBytes}. */
  private byte[] padded(Message valid) {
    byte[] pad = new byte[oversizeBytes];
    random.nextBytes(pad);
    return valid.toBuilder()
        .setUnknownFields(
            com.google.protobuf.UnknownFieldSet.newBuilder()
                .addField(
                    1000,
                    com.google.protobuf.UnknownFieldSet.Field.newBuilder()
                        .addLengthDelimited(ByteString.copyFrom(pad))
                        .build())
                .build())
        .build()
        .toByteArray();
  }

  /**
   * {@code valid}, a message of another topic (read by the monitor), broken in the way of {@code
   * kind}: one of {@link #MESSAGE_KINDS}; {@code breaksRule} is a message that parses but that the
   * consumer must refuse as {@code invalid}.
   */
  Fuzzed make(Kind kind, String key, Message valid, Message breaksRule) {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    Parser<? extends Message> parser = valid.getParserForType();
    return switch (kind) {
      case RANDOM_BYTES -> new Fuzzed(kind, k, randomNonProto(1 + random.nextInt(2048), parser));
      case TRUNCATED -> new Fuzzed(kind, k, truncated(valid.toByteArray(), parser));
      case MISSING_IDS -> new Fuzzed(kind, k, breaksRule.toByteArray());
      case TOMBSTONE -> new Fuzzed(kind, k, null);
      default -> throw new IllegalArgumentException(kind + " applies to image events only");
    };
  }

  /**
   * The kinds of {@link #decision}: {@code advrank.model-decisions} is not compacted, so null keys
   * and tombstones apply; its reader, the console, has no size limit of its own.
   */
  static final List<Kind> DECISION_KINDS =
      List.of(
          Kind.RANDOM_BYTES,
          Kind.TRUNCATED,
          Kind.WRONG_TYPE,
          Kind.MISSING_IDS,
          Kind.NULL_KEY,
          Kind.TOMBSTONE,
          Kind.OVERSIZED);

  /**
   * {@code valid}, a gate decision keyed by its candidate version, broken in the way of {@code
   * kind}, one of {@link #DECISION_KINDS}: missing ids is the candidate version; the wrong type a
   * rank shift keyed by its subject, which parses as a decision for that subject without a time.
   */
  Fuzzed decision(Kind kind, ModelDecision valid) {
    String key = valid.getCandidateVersion();
    return switch (kind) {
      case WRONG_TYPE ->
          new Fuzzed(
              kind,
              bytes(key),
              RankShift.newBuilder()
                  .setSubjectId(key)
                  .setOriginalEventId(key)
                  .setEpsilon(0.03f)
                  .setModelVersion(valid.getParentVersion())
                  .setMeasuredAtMs(valid.getDecidedAtMs())
                  .build()
                  .toByteArray());
      case NULL_KEY -> new Fuzzed(kind, null, valid.toByteArray());
      case OVERSIZED -> new Fuzzed(kind, bytes(key), padded(valid));
      default -> make(kind, key, valid, valid.toBuilder().clearCandidateVersion().build());
    };
  }

  /** The kinds that apply to any protobuf topic. */
  static final List<Kind> MESSAGE_KINDS =
      List.of(Kind.RANDOM_BYTES, Kind.TRUNCATED, Kind.MISSING_IDS, Kind.TOMBSTONE);

  private static boolean parses(byte[] b, Parser<? extends Message> parser) {
    try {
      parser.parseFrom(b);
      return true;
    } catch (InvalidProtocolBufferException e) {
      return false;
    }
  }
}
