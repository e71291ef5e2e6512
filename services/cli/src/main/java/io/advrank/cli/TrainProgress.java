package io.advrank.cli;

import io.advrank.core.train.TrainListener;
import java.util.function.Consumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Draws one progress bar over all training steps and logs a line per epoch, on stderr. */
final class TrainProgress implements TrainListener, AutoCloseable {
  private final boolean quiet;
  private ProgressBar bar;
  private Consumer<EpochStats> epochSaved = e -> {};

  TrainProgress(boolean quiet) {
    this.quiet = quiet;
  }

  void onEpochSaved(Consumer<EpochStats> action) {
    this.epochSaved = action;
  }

  @Override
  public void onStart(int epochs, int stepsPerEpoch) {
    if (!quiet) {
      bar =
          new ProgressBarBuilder()
              .setTaskName("train")
              .setInitialMax((long) epochs * stepsPerEpoch)
              .setStyle(ProgressBarStyle.ASCII)
              .setUnit(" steps", 1)
              .continuousUpdate()
              .build();
    }
  }

  @Override
  public void onStep(int epoch, int step, float loss) {
    if (bar != null) {
      bar.step();
      bar.setExtraMessage(String.format("epoch %d loss %.4f", epoch, loss));
    }
  }

  @Override
  public void onEpoch(EpochStats e) {
    epochSaved.accept(e);
    if (!quiet) {
      String line =
          String.format(
              "epoch %d: loss %.4f, %.1f s, R@1 %.4f, mAP %.4f",
              e.epoch(), e.meanLoss(), e.seconds(), e.recallAt1(), e.meanAveragePrecision());
      if (bar != null) {
        bar.setExtraMessage(line);
      }
      System.err.println();
      System.err.println(line);
    }
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    }
  }
}
