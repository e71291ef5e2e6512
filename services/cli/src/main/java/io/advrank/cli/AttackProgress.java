package io.advrank.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** One progress bar over attacked items on stderr, for {@code attack} and {@code table}. */
final class AttackProgress implements AutoCloseable {
  private final ProgressBar bar;
  private long offset;

  AttackProgress(boolean quiet, String task, long total) {
    this.bar =
        quiet
            ? null
            : new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII)
                .setUnit(" items", 1)
                .continuousUpdate()
                .build();
  }

  /** Starts a new run whose item counts add to those already done; shows {@code label}. */
  void startRun(String label) {
    if (bar != null) {
      offset = bar.getCurrent();
      bar.setExtraMessage(label);
    }
  }

  /** {@code done} items of the current run are finished. */
  void update(int done) {
    if (bar != null) {
      bar.stepTo(offset + done);
    }
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    }
  }
}
