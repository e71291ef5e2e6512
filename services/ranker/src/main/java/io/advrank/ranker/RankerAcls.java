package io.advrank.ranker;

import io.advrank.runtime.kafka.Acls;
import io.advrank.runtime.topic.Topics;
import java.util.List;
import org.apache.kafka.common.acl.AclBinding;

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
    return Acls.of(principal)
        .read(
            List.of(
                Topics.CATALOG_DELIVERED.name(),
                Topics.QUERIES_DELIVERED.name(),
                Topics.MODELS.name()))
        .write(
            List.of(
                Topics.RANKINGS.name(),
                Topics.CATALOG_OBSERVATIONS.name(),
                Topics.DEAD_LETTER.name()))
        .describeAdvrankTopics()
        .group(s.groupId())
        .transactionalId("advrank-" + s.rankerId())
        .list();
  }
}
