package io.advrank.monitor;

import io.advrank.runtime.kafka.Acls;
import io.advrank.runtime.topic.Topics;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The least Kafka ACLs a monitor needs, for a cluster with an authoriser: read the rankings and
 * catalog observations (and the model versions, when thresholds come from manifests), write its
 * alerts and dead letters, describe the advrank topics (start-up checks), and — as a Kafka Streams
 * application with exactly-once v2 — its application id as consumer group, as prefix of the
 * internal topics it creates and uses (repartition, changelogs), and as prefix of its transactional
 * ids ({@code <application.id>-<process id>-<thread>}). The advrank topics are created beforehand
 * by an administrator; the only CREATE is on the internal topics' prefix.
 */
public final class MonitorAcls {
  private MonitorAcls() {}

  /** The ACLs of {@code principal} (e.g. {@code User:advrank-monitor}) for these settings. */
  public static List<AclBinding> of(MonitorSettings s, String principal) {
    List<String> reads = new ArrayList<>();
    reads.add(Topics.RANKINGS.name());
    reads.add(Topics.CATALOG_OBSERVATIONS.name());
    if (s.thresholdsFromManifest()) {
      reads.add(Topics.MODELS.name()); // ManifestReader: assigned, no group
    }
    Acls acls =
        Acls.of(principal)
            .read(reads)
            .write(List.of(Topics.ALERTS.name(), Topics.DEAD_LETTER.name()))
            .describeAdvrankTopics();
    // Internal topics: created, read and written (READ and WRITE imply the DESCRIBE that their
    // validation needs), and the consumed records of the repartition topic purged (DELETE: kept
    // forever otherwise, retention.ms -1; not needed to run, see docs/security.md).
    String internal = s.applicationId() + "-";
    for (AclOperation op :
        List.of(AclOperation.CREATE, AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE)) {
      acls.allow(ResourceType.TOPIC, internal, PatternType.PREFIXED, op);
    }
    // WRITE on a transactional id implies the DESCRIBE that finding its coordinator needs.
    return acls.group(s.applicationId())
        .allow(ResourceType.TRANSACTIONAL_ID, internal, PatternType.PREFIXED, AclOperation.WRITE)
        .list();
  }
}
