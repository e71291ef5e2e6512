package io.advrank.core.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.advrank.core.data.ImageDataset;
import io.advrank.core.defense.EstDefense;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.Embeddings;
import io.advrank.core.model.GradientLane;
import io.advrank.core.model.ModelSpec;
import io.advrank.core.train.TrainSettings;
import io.advrank.core.train.TripletTrainer;
import io.advrank.core.train.Triplets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The attack-worker's PGD and the defense-trainer's EST steps run on two threads of one JVM at the
 * same time, as in the one-process demo: DJL allows one open gradient collector per JVM, and the
 * shared {@link GradientLane} makes them take turns instead of failing.
 */
class GradientLaneTest {
  @Test
  void pgdAndEstTrainingRunConcurrentlyOnTwoThreads() throws Exception {
    EmbeddingModel attacked = FixtureModel.model();
    ImageDataset test = FixtureModel.test();
    int n = test.size();
    Embeddings gallery = attacked.embed(test.batch(IntStream.range(0, n).toArray()), n);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (RankingAttacker attacker = RankingAttacker.of(attacked, gallery);
        EmbeddingModel trained =
            EmbeddingModel.create(ModelSpec.c2f1(1, 28, 28), 3, Device.cpu())) {
      AttackSpec spec = new AttackSpec(AttackType.CA_PLUS, 0.1, 1, 5);
      List<AttackRequest> requests = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        requests.add(new AttackRequest(test.image(i), new int[] {50 + i}, null, i));
      }
      Future<List<AttackResult>> attack = pool.submit(() -> attacker.attack(spec, requests));
      Future<float[]> training =
          pool.submit(
              () -> {
                TripletTrainer est =
                    EstDefense.of(0.1)
                        .trainer(trained, new TrainSettings(1, 8, 1e-3f, 1e-7f, 0.2f, 1));
                int[] batch = IntStream.range(0, 8).toArray();
                Triplets triplets =
                    new Triplets(
                        8,
                        batch,
                        new int[] {1, 0, 3, 2, 5, 4, 7, 6},
                        new int[] {2, 3, 0, 1, 6, 7, 4, 5});
                float[] losses = new float[3];
                for (int s = 0; s < losses.length; s++) {
                  losses[s] = est.step(test.batch(batch), triplets);
                }
                return losses;
              });

      List<AttackResult> results = attack.get(5, TimeUnit.MINUTES);
      float[] losses = training.get(5, TimeUnit.MINUTES);

      assertEquals(8, results.size());
      double before =
          results.stream().mapToDouble(AttackResult::rankBefore).average().orElseThrow();
      double after = results.stream().mapToDouble(AttackResult::rankAfter).average().orElseThrow();
      assertTrue(after < before, "CA+ raised the candidates: " + before + " -> " + after);
      for (float loss : losses) {
        assertTrue(Float.isFinite(loss) && loss >= 0, "EST step loss " + loss);
      }
      assertFalse(GradientLane.busy(), "the lane is free once both are done");
    } finally {
      pool.shutdownNow();
    }
  }
}
