package io.advrank.cli.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.cli.cluster.DeliveryAudit.Tally;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DeliveryAuditTest {
  @Test
  void countsLostDuplicatedAndUnexpectedIdsApart() {
    Tally t = Tally.of("answered", Set.of("a", "b", "c"), Map.of("a", 1, "b", 3, "x", 1));

    assertEquals(3, t.expected());
    assertEquals(5, t.seen());
    assertEquals(1, t.lost()); // c
    assertEquals(2, t.duplicated()); // two extra copies of b
    assertEquals(1, t.unexpected()); // x
    assertFalse(t.exact());
  }

  @Test
  void exactWhenEveryIdArrivedOnce() {
    assertTrue(Tally.of("delivered", Set.of("a", "b"), Map.of("a", 1, "b", 1)).exact());
  }
}
