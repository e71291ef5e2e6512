package io.advrank.cli;

import io.advrank.embedded.KafkaNode;
import io.advrank.runtime.lifecycle.Shutdown;
import io.advrank.runtime.lifecycle.TempDirectory;
import io.advrank.runtime.topic.Topic;
import io.advrank.runtime.topic.Topics;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code advrank broker}: a Kafka node (KRaft, broker and controller in this process). Alone by
 * default: a single-node cluster on a temporary directory with advrank's topics. With {@code
 * --controller-quorum}: one node of a multi-node cluster on a lasting {@code --log-dir}, as {@code
 * advrank cluster up} starts three of them (the topics are then created by the caller, replicated).
 */
@Command(
    name = "broker",
    mixinStandardHelpOptions = true,
    description = {
      "Start a local Kafka broker (KRaft, in this process) for running services as separate "
          + "processes (`advrank serve ...`). Ctrl-C stops it.",
      "Alone (default): a single node with advrank's topics; its data lives in a temporary "
          + "directory deleted on exit unless --log-dir is given.",
      "As one node of a cluster (--node-id, --controller-quorum, --controller-port, --log-dir, "
          + "--cluster-id; see `advrank cluster up`): the data stays in --log-dir, so a node "
          + "killed and started again keeps it; topics are not created."
    })
final class BrokerCommand implements Callable<Integer> {
  /** How long Ctrl-C waits for the broker to stop and its temporary data to go. */
  private static final Duration STOP_GRACE = Duration.ofSeconds(30);

  @Option(
      names = "--port",
      defaultValue = "9092",
      description = "Client port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description =
          "Interface to bind, e.g. 0.0.0.0 for all, so that other machines can connect "
              + "(default: ${DEFAULT-VALUE}: this machine only).")
  String host;

  @Option(
      names = "--advertised-host",
      description =
          "Host name clients are told to connect to (default: --host, or this machine's name "
              + "when --host is 0.0.0.0).")
  String advertisedHost;

  @Option(
      names = "--node-id",
      defaultValue = "1",
      description = "This node's id (default: ${DEFAULT-VALUE}).")
  int nodeId;

  @Option(
      names = "--controller-quorum",
      description =
          "The controller voters, id@host:port,... (default: this node alone on a free port).")
  String quorum;

  @Option(
      names = "--controller-port",
      description = "Controller (Raft) port (default: a free one; required with a quorum).")
  Integer controllerPort;

  @Option(
      names = "--log-dir",
      description = "Data directory, kept on exit (default: a temporary one, deleted on exit).")
  Path logDir;

  @Option(
      names = "--cluster-id",
      description = "The cluster's id, the same on every node (default: a new one).")
  String clusterId;

  @Override
  public Integer call() throws Exception {
    boolean alone = quorum == null;
    if (!alone && (controllerPort == null || logDir == null || clusterId == null)) {
      throw new IllegalArgumentException(
          "--controller-quorum needs --controller-port, --log-dir and --cluster-id");
    }
    int cport = controllerPort != null ? controllerPort : freePort();
    String voters = alone ? nodeId + "@" + reachable(host) + ":" + cport : quorum;
    String id = clusterId != null ? clusterId : Uuid.randomUuid().toString();
    // Closed newest first, on return, on an exception or on Ctrl-C: the broker, then its data.
    try (Shutdown shutdown = Shutdown.onJvmExit(STOP_GRACE)) {
      Path dir =
          logDir != null
              ? logDir
              : shutdown.register(TempDirectory.create("advrank-kafka-")).path();
      KafkaNode.Config config =
          new KafkaNode.Config(
              nodeId, id, voters, host, advertised(), port, cport, dir.resolve("data"));
      KafkaNode kafka = shutdown.register(KafkaNode.start(config, Topic::minInSyncReplicas));
      if (alone) {
        try (Admin admin =
            Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, reachable(host) + ":" + port))) {
          Topics.createAll(admin, (short) 1, Duration.ofSeconds(30));
        }
      }
      System.out.printf(
          "Kafka %s at %s in %d ms%s, cluster id %s. Ctrl-C to stop.%n",
          alone ? "ready" : "node " + nodeId + " up",
          kafka.bootstrapServers(),
          kafka.startupTime().toMillis(),
          alone ? " (topics created)" : " (data in " + dir + ")",
          id);
      shutdown.awaitStopRequest();
    }
    return 0;
  }

  private String advertised() throws UnknownHostException {
    if (advertisedHost != null) {
      return advertisedHost;
    }
    return isWildcard(host) ? InetAddress.getLocalHost().getCanonicalHostName() : host;
  }

  /** An address of this machine's listeners that this machine can connect to. */
  private static String reachable(String bindHost) {
    return isWildcard(bindHost) ? "127.0.0.1" : bindHost;
  }

  private static boolean isWildcard(String host) {
    return host.equals("0.0.0.0") || host.equals("::") || host.isEmpty();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
