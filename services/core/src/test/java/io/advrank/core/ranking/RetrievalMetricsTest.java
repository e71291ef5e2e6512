package io.advrank.core.ranking;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.advrank.core.model.Embeddings;
import io.advrank.core.ranking.GalleryIndexTest.RandomEmbeddings;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RetrievalMetricsTest {
  @Test
  void agreesWithBruteForceLeaveOneOut() {
    // More rows than one native query block, to cover block boundaries.
    int n = GalleryIndex.QUERY_BLOCK + 213;
    Embeddings e = RandomEmbeddings.unit(n, 8, 11);
    int[] labels = new Random(12).ints(n, 0, 4).toArray();
    RetrievalMetrics.Result r = RetrievalMetrics.leaveOneOut(e, labels);
    double hits = 0;
    double ap = 0;
    for (int q = 0; q < n; q++) {
      int qq = q;
      List<Integer> order =
          IntStream.range(0, n)
              .filter(j -> j != qq)
              .boxed()
              .sorted(Comparator.comparingDouble(j -> RandomEmbeddings.cosineDistance(e, qq, e, j)))
              .collect(Collectors.toList());
      hits += labels[order.get(0)] == labels[q] ? 1 : 0;
      ap += averagePrecision(order, labels, labels[q]);
    }
    assertEquals(hits / n, r.recallAt1(), 1e-9);
    assertEquals(ap / n, r.meanAveragePrecision(), 1e-4);
  }

  @Test
  void perfectClustersScoreOne() {
    // Two tight, opposite clusters: every neighbour shares the label.
    float[] v = {1, 0, 0.99f, 0.141f, -1, 0, -0.99f, -0.141f};
    RetrievalMetrics.Result r =
        RetrievalMetrics.leaveOneOut(new Embeddings(v, 4, 2), new int[] {0, 0, 1, 1});
    assertEquals(1.0, r.recallAt1());
    assertEquals(1.0, r.meanAveragePrecision(), 1e-6);
  }

  private static double averagePrecision(List<Integer> order, int[] labels, int label) {
    double found = 0;
    double sum = 0;
    for (int k = 0; k < order.size(); k++) {
      if (labels[order.get(k)] == label) {
        found++;
        sum += found / (k + 1);
      }
    }
    return found == 0 ? 0 : sum / found;
  }
}
