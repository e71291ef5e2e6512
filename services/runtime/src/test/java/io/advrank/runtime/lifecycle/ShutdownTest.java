package io.advrank.runtime.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
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
  void hookWithGraceLetsTheOwnerFinishAndClose() throws Exception {
    AtomicReference<Thread> hook = new AtomicReference<>();
    List<String> events = Collections.synchronizedList(new ArrayList<>());
    Shutdown shutdown = new Shutdown(hook::set, removed -> {}, Duration.ofSeconds(10));
    shutdown.register(() -> events.add("closed by " + Thread.currentThread().getName()));
    Thread owner =
        new Thread(
            () -> {
              try {
                shutdown.awaitStopRequest();
                events.add("report printed");
                shutdown.close();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "owner");
    owner.start();

    hook.get().start();
    hook.get().join(10_000);

    assertFalse(hook.get().isAlive(), "the hook returns once the owner has closed");
    assertEquals(List.of("report printed", "closed by owner"), events);
  }

  @Test
  void hookClosesItselfWhenTheOwnerDoesNotWithinTheGrace() throws Exception {
    AtomicReference<Thread> hook = new AtomicReference<>();
    List<String> closed = new ArrayList<>();
    Shutdown shutdown = new Shutdown(hook::set, removed -> {}, Duration.ofMillis(50));
    shutdown.register(() -> closed.add(Thread.currentThread().getName()));

    hook.get().start();
    hook.get().join(5_000);

    assertEquals(List.of("advrank-shutdown"), closed);
  }

  @Test
  void theOwnersCloseTakesTheHookOffTheJvm() {
    AtomicReference<Thread> hook = new AtomicReference<>();
    AtomicReference<Thread> removed = new AtomicReference<>();
    Shutdown shutdown = new Shutdown(hook::set, removed::set, Duration.ZERO);

    shutdown.close();

    assertSame(hook.get(), removed.get());
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
