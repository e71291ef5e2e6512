package io.advrank.core.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.core.model.Embeddings;
import io.advrank.core.ranking.GalleryIndex;
import io.advrank.core.ranking.TopK;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Target sampling on a random 500-item gallery (top 1% = 5 neighbours). */
class TargetSamplerTest {
  private static final int N = 500;
  private static GalleryIndex index;
  private static TargetSampler sampler;

  @BeforeAll
  static void setUp() {
    Random r = new Random(1);
    float[] v = new float[N * 8];
    for (int i = 0; i < N; i++) {
      double norm = 0;
      for (int k = 0; k < 8; k++) {
        v[i * 8 + k] = (float) r.nextGaussian();
        norm += v[i * 8 + k] * v[i * 8 + k];
      }
      for (int k = 0; k < 8; k++) {
        v[i * 8 + k] /= (float) Math.sqrt(norm);
      }
    }
    index = GalleryIndex.of(new Embeddings(v, N, 8));
    sampler = new TargetSampler(index);
  }

  @AfterAll
  static void tearDown() {
    index.close();
  }

  @Test
  void neighbourTargetsComeFromTheTopOnePercentAndNeverTheItemItself() {
    int[] items = {0, 1, 2, 3};
    List<TargetSampler.Targets> t =
        sampler.sample(new AttackSpec(AttackType.CA_MINUS, 0.1, 2, 0), items);
    TopK top = index.topK(index.embeddings().rows(items), 5, items);
    for (int j = 0; j < items.length; j++) {
      int[] pool = top.idsOf(j);
      for (int target : t.get(j).targets()) {
        assertTrue(contains(pool, target), target + " not in top-5 " + Arrays.toString(pool));
        assertFalse(target == items[j]);
      }
      assertEquals(2, Arrays.stream(t.get(j).targets()).distinct().count());
    }
  }

  @Test
  void uniformTargetsAreDistinctAndExcludeTheItem() {
    int[] items = java.util.stream.IntStream.range(0, 50).toArray();
    List<TargetSampler.Targets> t =
        sampler.sample(new AttackSpec(AttackType.QA_PLUS, 0.1, 10, 0), items);
    for (int j = 0; j < items.length; j++) {
      int[] targets = t.get(j).targets();
      assertEquals(10, Arrays.stream(targets).distinct().count());
      assertFalse(contains(targets, items[j]));
      assertEquals(0, t.get(j).preserve().length);
    }
  }

  @Test
  void spSetIsTheTopFiveNonTargets() {
    int[] items = {7, 8};
    List<TargetSampler.Targets> t =
        sampler.sample(new AttackSpec(AttackType.SP_QA_MINUS, 0.1, 3, 0), items);
    TopK top = index.topK(index.embeddings().rows(items), 8, items);
    for (int j = 0; j < items.length; j++) {
      int[] targets = t.get(j).targets();
      int[] expected =
          Arrays.stream(top.idsOf(j)).filter(i -> !contains(targets, i)).limit(5).toArray();
      assertArrayEquals(expected, t.get(j).preserve());
    }
  }

  @Test
  void anItemsTargetsDoNotDependOnItsBatch() {
    AttackSpec spec = new AttackSpec(AttackType.CA_PLUS, 0.1, 3, 42);
    int[] alone = sampler.sample(spec, new int[] {9}).get(0).targets();
    int[] inBatch = sampler.sample(spec, new int[] {4, 9, 11}).get(1).targets();
    assertArrayEquals(alone, inBatch);
  }

  @Test
  void aSizeLargerThanTheGalleryNamesTheRange() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> sampler.sample(new AttackSpec(AttackType.CA_PLUS, 0.1, N, 0), new int[] {0}));
    assertEquals(
        "size: must be in 1..499 for CA+ on a gallery of 500 items, was 500", e.getMessage());
  }

  private static boolean contains(int[] a, int v) {
    return Arrays.stream(a).anyMatch(x -> x == v);
  }

  @Test
  void drawsForAnImageThatIsNoGalleryRowAsTheAttackWorkerDoesForQueries() {
    int[] neighbours = {7, 3, 9, 1, 4, 8, 2, 6, 5, 0};
    for (int seed = 0; seed < 50; seed++) {
      int[] near =
          TargetSampler.drawTargets(AttackType.QA_MINUS, N, -1, neighbours, 5, 2, new Random(seed));
      assertEquals(2, Arrays.stream(near).distinct().count());
      assertTrue(Arrays.stream(near).allMatch(t -> t == 7 || t == 3 || t == 9 || t == 1 || t == 4));
      int[] any =
          TargetSampler.drawTargets(AttackType.QA_PLUS, N, 42, neighbours, 0, 5, new Random(seed));
      assertEquals(5, Arrays.stream(any).distinct().count());
      assertTrue(Arrays.stream(any).allMatch(t -> t >= 0 && t < N && t != 42));
    }
    assertArrayEquals(
        new int[] {7, 9, 1, 8, 2}, TargetSampler.keptSet(neighbours, new int[] {3, 4}));
    assertEquals(0, TargetSampler.neighboursNeeded(AttackType.CA_PLUS, 1, N));
    assertEquals(6, TargetSampler.neighboursNeeded(AttackType.SP_QA_PLUS, 1, N));
  }
}
