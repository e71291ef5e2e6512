package io.advrank.core.defense;

import io.advrank.core.attack.AntiCollapseAdversary;
import io.advrank.core.attack.PgdSchedule;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.train.TrainSettings;
import io.advrank.core.train.TripletTrainer;
import java.util.Objects;

/**
 * The anti-collapse triplet defense (ACT; robrank, Zhou et al. 2021, "positive-negative
 * perplexing"): for each triplet, PGD moves the positive and the negative within ε towards each
 * other ({@link AntiCollapseAdversary}), and the triplet step is taken on (clean anchor, p̃, ñ).
 * robrank's schedule on 28-px data is ε 77/255, α 3/255, 32 iterations; on 224-px photos ε 8/255, α
 * 1/255, 32 iterations. A step costs about one PGD iteration per image pair more than a clean step,
 * times the iterations.
 *
 * @param schedule the inner attack's ε, α and iterations
 */
public record ActDefense(PgdSchedule schedule) implements Defense {
  public ActDefense {
    Objects.requireNonNull(schedule, "schedule");
  }

  @Override
  public TripletTrainer trainer(EmbeddingModel model, TrainSettings settings, long stepsDone) {
    return new TripletTrainer(model, settings)
        .optTripletAdversary(new AntiCollapseAdversary(schedule));
  }

  /** As {@link #trainer(EmbeddingModel, TrainSettings, long)} from the first step. */
  public TripletTrainer trainer(EmbeddingModel model, TrainSettings settings) {
    return trainer(model, settings, 0);
  }

  @Override
  public String describe() {
    return new AntiCollapseAdversary(schedule).describe();
  }
}
