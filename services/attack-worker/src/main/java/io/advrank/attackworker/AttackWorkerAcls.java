package io.advrank.attackworker;

import io.advrank.runtime.kafka.Acls;
import io.advrank.runtime.topic.Topics;
import java.util.List;
import org.apache.kafka.common.acl.AclBinding;

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
    return Acls.of(principal)
        .read(
            List.of(
                Topics.CATALOG.name(),
                Topics.QUERIES.name(),
                Topics.CATALOG_DELIVERED.name(),
                Topics.QUERIES_DELIVERED.name(),
                Topics.MODELS.name()))
        .write(s.fence().allowedTopics())
        .describeAdvrankTopics()
        .group(s.groupId())
        .transactionalId(s.transactionalId())
        .list();
  }
}
