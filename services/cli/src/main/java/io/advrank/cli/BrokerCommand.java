package io.advrank.cli;

import io.advrank.runtime.kafka.EmbeddedKafka;
import io.advrank.runtime.topic.Topics;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code advrank broker}: a standalone single-node Kafka (KRaft) for multi-process runs. */
@Command(
    name = "broker",
    mixinStandardHelpOptions = true,
    description =
        "Start a local single-node Kafka broker (KRaft, in this process) with advrank's "
            + "topics, for running services as separate processes (`advrank serve ...`). Ctrl-C "
            + "stops it; its data lives in a temporary directory and is deleted on exit.")
final class BrokerCommand implements Callable<Integer> {
  @Option(
      names = "--port",
      defaultValue = "9092",
      description = "Client port (default: ${DEFAULT-VALUE}).")
  int port;

  @Override
  public Integer call() throws Exception {
    CountDownLatch stopped = new CountDownLatch(1);
    try (EmbeddedKafka kafka = EmbeddedKafka.startOnPort(port, Map.of())) {
      try (Admin admin =
          Admin.create(
              Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
        Topics.createAll(admin, (short) 1, Duration.ofSeconds(30));
      }
      System.out.printf(
          "Kafka ready at %s in %d ms (topics created). Ctrl-C to stop.%n",
          kafka.bootstrapServers(), kafka.startupTime().toMillis());
      Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "broker-stop"));
      stopped.await();
    }
    return 0;
  }
}
