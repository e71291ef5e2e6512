package io.advrank.console;

import io.advrank.runtime.kafka.Acls;
import io.advrank.runtime.topic.Topics;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The least Kafka ACLs the console needs, for a cluster with an authoriser: read the topics its
 * feed shows, in its own consumer group (by default a new {@code advrank-console-…} group per
 * start, so a PREFIXED group ACL; a configured {@code console.group.id} gets a LITERAL one), and
 * write its dead letters. It writes nothing else, runs no start-up topic check (READ and WRITE
 * imply the DESCRIBE its metadata requests need), and has no transactional id.
 */
public final class ConsoleAcls {
  private ConsoleAcls() {}

  /** The ACLs of {@code principal} (e.g. {@code User:advrank-console}) for these settings. */
  public static List<AclBinding> of(ConsoleSettings s, String principal) {
    List<String> read = new ArrayList<>();
    ConsoleFeed.STATE.forEach(t -> read.add(t.name()));
    ConsoleFeed.EVENTS.forEach(t -> read.add(t.name()));
    boolean randomGroup = s.groupId().startsWith(ConsoleSettings.GROUP_PREFIX);
    return Acls.of(principal)
        .read(read)
        .write(List.of(Topics.DEAD_LETTER.name()))
        .allow(
            ResourceType.GROUP,
            randomGroup ? ConsoleSettings.GROUP_PREFIX : s.groupId(),
            randomGroup ? PatternType.PREFIXED : PatternType.LITERAL,
            AclOperation.READ)
        .list();
  }
}
