package io.advrank.console;

import static io.advrank.runtime.kafka.Acls.allow;

import io.advrank.runtime.topic.Topic;
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
    List<AclBinding> out = new ArrayList<>();
    List<Topic<?, ?>> read = new ArrayList<>(ConsoleFeed.STATE);
    read.addAll(ConsoleFeed.EVENTS);
    for (Topic<?, ?> topic : read) {
      out.add(
          allow(
              ResourceType.TOPIC, topic.name(), PatternType.LITERAL, AclOperation.READ, principal));
    }
    out.add(
        allow(
            ResourceType.TOPIC,
            Topics.DEAD_LETTER.name(),
            PatternType.LITERAL,
            AclOperation.WRITE,
            principal));
    boolean randomGroup = s.groupId().startsWith(ConsoleSettings.GROUP_PREFIX);
    out.add(
        allow(
            ResourceType.GROUP,
            randomGroup ? ConsoleSettings.GROUP_PREFIX : s.groupId(),
            randomGroup ? PatternType.PREFIXED : PatternType.LITERAL,
            AclOperation.READ,
            principal));
    return out;
  }
}
