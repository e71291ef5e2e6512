package io.advrank.attackworker;

import io.advrank.core.model.ModelException;
import io.advrank.runtime.lifecycle.ServiceLauncher;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * {@code AttackWorkerMain [--settings FILE] [--key=value ...]}: loads {@link AttackWorkerSettings},
 * creates the topics, loads the model on {@code --device} (auto, cpu, gpu, gpu:N; see {@link
 * DeviceChoice} for providing a CUDA libtorch), serves {@code /metrics} and {@code /health}, and
 * runs {@link AttackWorkerService} until the process is stopped. Example:
 *
 * <pre>
 * AttackWorkerMain --campaign "CA+ eps=0.1 w=1 fraction=0.2; SP-QA+ eps=0.1 m=1 fraction=0.2"
 * </pre>
 *
 * Exit codes: 0 stopped, 1 failed, 2 bad settings (an unknown campaign key included) or model.
 */
public final class AttackWorkerMain {
  private AttackWorkerMain() {}

  public static void main(String[] args) throws InterruptedException {
    System.exit(run(args, System.getenv()));
  }

  /** Runs the service until stopped; returns the exit code. */
  public static int run(String[] args, Map<String, String> env) throws InterruptedException {
    return ServiceLauncher.of(
            "attack-worker",
            AttackWorkerSettings.KEYS,
            AttackWorkerSettings::from,
            AttackWorkerClients::admin)
        // A cluster that is not the staging one refuses with a SettingsException (StagingFence),
        // checked before anything is created there.
        .beforeTopics((settings, admin) -> settings.fence().verify(admin, Duration.ofSeconds(60)))
        .refusing(ModelException.class)
        .run(
            args,
            env,
            (settings, launch) ->
                AttackWorkerService.create(settings, Clock.systemUTC(), launch.registry()));
  }
}
