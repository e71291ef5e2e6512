package io.advrank.core.ranking;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.advrank.core.model.Embeddings;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class GalleryIndexTest {
  static final int N = 300;
  static final int DIM = 16;

  @Test
  void distancesAgreeWithBruteForce() {
    Embeddings g = RandomEmbeddings.unit(N, DIM, 1);
    Embeddings q = RandomEmbeddings.unit(7, DIM, 2);
    try (GalleryIndex index = GalleryIndex.of(g)) {
      float[] d = index.distances(q);
      for (int i = 0; i < 7; i++) {
        for (int j = 0; j < N; j++) {
          // A float32 dot of 16 unit-vector components is within 16·u = 1e-6 of the exact one
          // (u = 2^-24), whatever order the matmul kernel sums in.
          assertEquals(RandomEmbeddings.cosineDistance(q, i, g, j), d[i * N + j], 1e-5);
        }
      }
    }
  }

  @Test
  void topKAgreesWithASortedBruteForce() {
    Embeddings g = RandomEmbeddings.unit(N, DIM, 3);
    Embeddings q = RandomEmbeddings.unit(5, DIM, 4);
    try (GalleryIndex index = GalleryIndex.of(g)) {
      TopK top = index.topK(q, 10, null);
      for (int i = 0; i < 5; i++) {
        int qi = i;
        int[] expected =
            IntStream.range(0, N)
                .boxed()
                .sorted(
                    Comparator.comparingDouble(j -> RandomEmbeddings.cosineDistance(q, qi, g, j)))
                .limit(10)
                .mapToInt(Integer::intValue)
                .toArray();
        assertArrayEquals(expected, top.idsOf(i));
      }
    }
  }

  @Test
  void leaveOneOutSkipsTheQueryItself() {
    Embeddings g = RandomEmbeddings.unit(N, DIM, 5);
    try (GalleryIndex index = GalleryIndex.of(g)) {
      int[] rows = {0, 17, 299};
      TopK withSelf = index.topK(g.rows(rows), 3, null);
      TopK without = index.topK(g.rows(rows), 3, rows);
      for (int i = 0; i < rows.length; i++) {
        assertEquals(rows[i], withSelf.idsOf(i)[0]);
        assertEquals(withSelf.idsOf(i)[1], without.idsOf(i)[0]);
        assertEquals(withSelf.idsOf(i)[2], without.idsOf(i)[1]);
      }
    }
  }

  @Test
  void rankCountsStrictlyCloserItems() {
    float[] d = {0.1f, 0.5f, 0.5f, 0.9f};
    assertEquals(0, GalleryIndex.rankOf(d, 0, 4, 0.1f));
    assertEquals(1, GalleryIndex.rankOf(d, 0, 4, 0.5f));
    assertEquals(3, GalleryIndex.rankOf(d, 0, 4, 0.6f));
    assertEquals(4, GalleryIndex.rankOf(d, 0, 4, 2f));
  }

  @Test
  void rejectsKOutsideTheGallery() {
    Embeddings g = RandomEmbeddings.unit(10, DIM, 6);
    try (GalleryIndex index = GalleryIndex.of(g)) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> index.topK(g, 11, null));
      assertEquals("k: must be in 1..10, was 11", e.getMessage());
    }
  }

  @Test
  void rejectsQueriesOfAnotherEmbeddingSize() {
    try (GalleryIndex index = GalleryIndex.of(RandomEmbeddings.unit(10, DIM, 7))) {
      assertThrows(
          IllegalArgumentException.class, () -> index.distances(RandomEmbeddings.unit(1, 8, 8)));
    }
  }

  static final class RandomEmbeddings {
    static Embeddings unit(int n, int dim, long seed) {
      Random r = new Random(seed);
      float[] v = new float[n * dim];
      for (int i = 0; i < n; i++) {
        double norm = 0;
        for (int k = 0; k < dim; k++) {
          v[i * dim + k] = (float) r.nextGaussian();
          norm += v[i * dim + k] * v[i * dim + k];
        }
        for (int k = 0; k < dim; k++) {
          v[i * dim + k] /= (float) Math.sqrt(norm);
        }
      }
      return new Embeddings(v, n, dim);
    }

    static double cosineDistance(Embeddings a, int i, Embeddings b, int j) {
      double dot = 0;
      for (int k = 0; k < a.dim(); k++) {
        dot += (double) a.values()[i * a.dim() + k] * b.values()[j * b.dim() + k];
      }
      return 1 - dot;
    }
  }
}
