package io.advrank.core.attack;

import ai.djl.Device;
import io.advrank.core.data.DataException;
import io.advrank.core.data.DatasetDirectory;
import io.advrank.core.data.Fixtures;
import io.advrank.core.data.ImageDataset;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.ModelSpec;
import io.advrank.core.train.TrainSettings;
import io.advrank.core.train.TripletTrainer;

/**
 * A small C2F1 trained for a few seconds on the Fashion-MNIST fixture, shared by the attack tests
 * (trained once per test JVM), and the fixture's test split as gallery.
 */
final class FixtureModel {
  private static EmbeddingModel model;
  private static ImageDataset test;

  private FixtureModel() {}

  static synchronized EmbeddingModel model() {
    if (model == null) {
      model = EmbeddingModel.create(ModelSpec.c2f1(1, 28, 28), 7, Device.cpu());
      new TripletTrainer(model, new TrainSettings(2, 200, 1e-3f, 1e-7f, 0.2f, 7))
          .fit(load(DatasetDirectory.Split.TRAIN));
    }
    return model;
  }

  static synchronized ImageDataset test() {
    if (test == null) {
      test = load(DatasetDirectory.Split.TEST);
    }
    return test;
  }

  static ImageDataset load(DatasetDirectory.Split split) {
    try {
      return DatasetDirectory.load(Fixtures.fashionMnistMini(), split);
    } catch (DataException e) {
      throw new IllegalStateException(e);
    }
  }
}
