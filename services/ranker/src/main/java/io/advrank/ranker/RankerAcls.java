package io.advrank.ranker;

import static io.advrank.runtime.kafka.Acls.allow;

import io.advrank.runtime.topic.Topics;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The least Kafka ACLs a ranker needs, for a cluster with an authoriser: read the delivered catalog
 * and queries and the model versions, write its rankings, catalog observations and dead letters,
 * its consumer group and transactional id, and describe the advrank topics (start-up checks). The
 * topics are created beforehand by an administrator; no CREATE.
 */
public final class RankerAcls {
  private RankerAcls() {}

  /** The ACLs of {@code principal} (e.g. {@code User:advrank-ranker}) for these settings. */
  public static List<AclBinding> of(RankerSettings s, String principal) {
    List<AclBinding> out = new ArrayList<>();
    for (String topic :
        List.of(
            Topics.CATALOG_DELIVERED.name(),
            Topics.QUERIES_DELIVERED.name(),
            Topics.MODELS.name())) {
      out.add(allow(ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.READ, principal));
    }
    for (String topic :
        List.of(
            Topics.RANKINGS.name(),
            Topics.CATALOG_OBSERVATIONS.name(),
            Topics.DEAD_LETTER.name())) {
      out.add(allow(ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.WRITE, principal));
    }
    out.add(
        allow(
            ResourceType.TOPIC,
            "advrank.",
            PatternType.PREFIXED,
            AclOperation.DESCRIBE,
            principal));
    out.add(
        allow(ResourceType.GROUP, s.groupId(), PatternType.LITERAL, AclOperation.READ, principal));
    for (AclOperation op : List.of(AclOperation.WRITE, AclOperation.DESCRIBE)) {
      out.add(
          allow(
              ResourceType.TRANSACTIONAL_ID,
              "advrank-" + s.rankerId(),
              PatternType.LITERAL,
              op,
              principal));
    }
    return out;
  }
}
