package io.advrank.attackworker;

import static io.advrank.runtime.kafka.Acls.allow;

import io.advrank.runtime.topic.Topics;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The least Kafka ACLs an attack-worker needs, for a cluster with an authoriser: read its inputs
 * (and the delivered topics, for recovery after a rebalance, and the model versions), write exactly
 * the topics of its allow-list ({@link StagingFence}), its consumer group and its transactional id,
 * and describe the advrank topics (start-up checks that they exist and have leaders). The topics
 * are created beforehand by an administrator; no CREATE.
 */
public final class AttackWorkerAcls {
  private AttackWorkerAcls() {}

  /** The ACLs of {@code principal} (e.g. {@code User:advrank-attack-worker}) for these settings. */
  public static List<AclBinding> of(AttackWorkerSettings s, String principal) {
    List<AclBinding> out = new ArrayList<>();
    for (String topic :
        List.of(
            Topics.CATALOG.name(),
            Topics.QUERIES.name(),
            Topics.CATALOG_DELIVERED.name(),
            Topics.QUERIES_DELIVERED.name(),
            Topics.MODELS.name())) {
      out.add(allow(ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.READ, principal));
    }
    for (String topic : s.fence().allowedTopics()) {
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
              s.transactionalId(),
              PatternType.LITERAL,
              op,
              principal));
    }
    return out;
  }
}
