package io.advrank.runtime.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ShutdownTest {

  @Test
  void closesResourcesInReverseOrderOfRegistration() {
    List<String> closed = new ArrayList<>();
    Shutdown shutdown = new Shutdown(hook -> {});
    shutdown.register(() -> closed.add("producer"));
    shutdown.register(() -> closed.add("consumer"));

    shutdown.close();
    shutdown.close(); // idempotent

    assertEquals(List.of("consumer", "producer"), closed);
  }

  @Test
  void keepsClosingWhenOneResourceFails() {
    List<String> closed = new ArrayList<>();
    Shutdown shutdown = new Shutdown(hook -> {});
    shutdown.register(() -> closed.add("first"));
    shutdown.register(
        () -> {
          throw new IllegalStateException("boom");
        });

    shutdown.close();

    assertEquals(List.of("first"), closed);
  }

  @Test
  void jvmHookRequestsStopAndClosesEverything() throws Exception {
    AtomicReference<Thread> hook = new AtomicReference<>();
    List<String> closed = new ArrayList<>();
    Shutdown shutdown = new Shutdown(hook::set);
    shutdown.register(() -> closed.add("streams"));
    assertFalse(shutdown.awaitStopRequest(Duration.ofMillis(1)));

    hook.get().start();
    hook.get().join(5_000);

    assertTrue(shutdown.awaitStopRequest(Duration.ofSeconds(1)));
    assertEquals(List.of("streams"), closed);
    assertEquals(0, shutdown.exitCode());
  }

  @Test
  void firstStopRequestDecidesExitCode() throws InterruptedException {
    Shutdown shutdown = new Shutdown(hook -> {});

    shutdown.requestStop(1, "model store unreadable");
    shutdown.requestStop(0, "JVM shutdown");

    assertTrue(shutdown.awaitStopRequest(Duration.ofMillis(10)));
    assertEquals(1, shutdown.exitCode());
    assertEquals("model store unreadable", shutdown.stopReason());
  }

  @Test
  void refusesRegistrationAfterClose() {
    Shutdown shutdown = new Shutdown(hook -> {});
    shutdown.close();

    assertThrows(IllegalStateException.class, () -> shutdown.register(() -> {}));
  }
}
