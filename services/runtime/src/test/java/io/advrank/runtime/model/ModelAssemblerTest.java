package io.advrank.runtime.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.advrank.proto.v1.ModelVersion;
import io.advrank.runtime.topic.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ModelAssemblerTest {
  private static AssembledModel model(String version, long createdAt, int size) {
    byte[] w = new byte[size];
    new Random(size).nextBytes(w);
    return AssembledModel.of(version, "", "{\"v\":\"" + version + "\"}", createdAt, w);
  }

  private static List<ModelAssembler.Event> feedAll(ModelAssembler a, List<ModelVersion> chunks) {
    List<ModelAssembler.Event> out = new ArrayList<>();
    for (ModelVersion c : chunks) {
      out.addAll(a.feed(Topics.modelChunkKey(c.getVersion(), c.getChunkIndex()), c));
    }
    return out;
  }

  @Test
  void reassemblesChunksInOrderAndVerifiesTheSha() {
    AssembledModel m = model("v1", 10, 2500);
    List<ModelVersion> chunks = ModelChunks.split(m, 1000);
    assertEquals(3, chunks.size());
    List<ModelAssembler.Event> events = feedAll(new ModelAssembler(), chunks);
    assertEquals(1, events.size());
    AssembledModel back = assertInstanceOf(ModelAssembler.Complete.class, events.get(0)).model();
    assertArrayEquals(m.weights(), back.weights());
    assertEquals(m.sha256(), back.sha256());
    assertEquals(10, back.createdAtMs());
  }

  @Test
  void refusesATamperedChunk() {
    List<ModelVersion> chunks = new ArrayList<>(ModelChunks.split(model("v1", 10, 2500), 1000));
    byte[] bad = chunks.get(1).getWeights().toByteArray();
    bad[7] ^= 1;
    chunks.set(1, chunks.get(1).toBuilder().setWeights(ByteString.copyFrom(bad)).build());
    List<ModelAssembler.Event> events = feedAll(new ModelAssembler(), chunks);
    var refused = assertInstanceOf(ModelAssembler.Refused.class, events.get(0));
    assertEquals(Refusal.TAMPERED, refused.refusal());
  }

  @Test
  void refusesAVersionWhoseLastChunkIsMissingWhenTheNextVersionStarts() {
    ModelAssembler a = new ModelAssembler();
    List<ModelVersion> first = ModelChunks.split(model("v1", 10, 2500), 1000);
    List<ModelAssembler.Event> events = feedAll(a, first.subList(0, 2));
    assertTrue(events.isEmpty());
    events = feedAll(a, ModelChunks.split(model("v2", 20, 1500), 1000));
    assertEquals(2, events.size());
    var refused = assertInstanceOf(ModelAssembler.Refused.class, events.get(0));
    assertEquals("v1", refused.version());
    assertEquals(Refusal.TRUNCATED, refused.refusal());
    assertEquals(
        "v2", assertInstanceOf(ModelAssembler.Complete.class, events.get(1)).model().version());
  }

  @Test
  void refusesShortWeightsAsTruncated() {
    List<ModelVersion> chunks = new ArrayList<>(ModelChunks.split(model("v1", 10, 2500), 1000));
    ModelVersion last = chunks.get(2);
    chunks.set(2, last.toBuilder().setWeights(last.getWeights().substring(0, 100)).build());
    var refused =
        assertInstanceOf(
            ModelAssembler.Refused.class, feedAll(new ModelAssembler(), chunks).get(0));
    assertEquals(Refusal.TRUNCATED, refused.refusal());
  }

  @Test
  void anActivationNamesAnAssembledVersionOrIsRefused() {
    ModelAssembler a = new ModelAssembler();
    feedAll(a, ModelChunks.split(model("v1", 10, 100), 1000));
    var ok = a.feed(Topics.MODEL_ACTIVE_KEY, ModelChunks.activation("v1", 99));
    assertEquals(
        "v1", assertInstanceOf(ModelAssembler.Activate.class, ok.get(0)).model().version());
    var unknown = a.feed(Topics.MODEL_ACTIVE_KEY, ModelChunks.activation("v9", 99));
    assertEquals(
        Refusal.UNKNOWN_VERSION,
        assertInstanceOf(ModelAssembler.Refused.class, unknown.get(0)).refusal());
  }

  /**
   * The soak's live-heap leak: every remembered version kept its weights on the heap. Now only the
   * newest two do, and a rollback to an older one still gets its exact weights back.
   */
  @Test
  void keepsOnlyTheNewestVersionsWeightsInMemoryAndRollsBackToAnOlderOne() {
    ModelAssembler a = new ModelAssembler();
    List<AssembledModel> published = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      AssembledModel m = model("v" + i, i, 100_000 + i);
      published.add(m);
      feedAll(a, ModelChunks.split(m, 30_000));
    }
    assertEquals(10, a.completed().size());
    assertTrue(
        a.weightsInMemory() <= 2 * 100_010L, // the newest two
        "weights on the heap: " + a.weightsInMemory() + " bytes for 10 versions of 100 kB");
    var rollback = a.feed(Topics.MODEL_ACTIVE_KEY, ModelChunks.activation("v3", 99));
    AssembledModel back = assertInstanceOf(ModelAssembler.Activate.class, rollback.get(0)).model();
    assertEquals("v3", back.version());
    assertArrayEquals(published.get(2).weights(), back.weights());
    assertEquals(published.get(2).sha256(), back.sha256());
    assertArrayEquals(published.get(0).weights(), a.get("v1").orElseThrow().weights());
  }

  @Test
  void refusesAChunkWhoseKeyDoesNotMatch() {
    ModelVersion c = ModelChunks.split(model("v1", 10, 100), 1000).get(0);
    var refused =
        assertInstanceOf(ModelAssembler.Refused.class, new ModelAssembler().feed("v2/0", c).get(0));
    assertEquals(Refusal.MALFORMED, refused.refusal());
  }
}
