package io.advrank.runtime.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

class AclsTest {
  private static final String USER = "User:advrank-ranker";

  @Test
  void eachNamedGrantIsOneAllowFromAnyHostInTheOrderAdded() {
    List<AclBinding> acls =
        Acls.of(USER)
            .read(List.of("advrank.a", "advrank.b"))
            .write(List.of("advrank.c"))
            .describeAdvrankTopics()
            .group("g")
            .transactionalId("t")
            .list();

    assertEquals(
        List.of(
            "TOPIC LITERAL advrank.a READ",
            "TOPIC LITERAL advrank.b READ",
            "TOPIC LITERAL advrank.c WRITE",
            "TOPIC PREFIXED advrank. DESCRIBE",
            "GROUP LITERAL g READ",
            "TRANSACTIONAL_ID LITERAL t WRITE",
            "TRANSACTIONAL_ID LITERAL t DESCRIBE"),
        acls.stream().map(AclsTest::describe).toList());
    for (AclBinding b : acls) {
      assertEquals(USER, b.entry().principal());
      assertEquals("*", b.entry().host());
      assertEquals(AclPermissionType.ALLOW, b.entry().permissionType());
    }
  }

  @Test
  void anyOtherGrantGoesThroughAllow() {
    AclBinding b =
        Acls.of(USER)
            .allow(ResourceType.TOPIC, "app-", PatternType.PREFIXED, AclOperation.CREATE)
            .list()
            .get(0);

    assertEquals("TOPIC PREFIXED app- CREATE", describe(b));
  }

  private static String describe(AclBinding b) {
    return String.join(
        " ",
        b.pattern().resourceType().name(),
        b.pattern().patternType().name(),
        b.pattern().name(),
        b.entry().operation().name());
  }
}
