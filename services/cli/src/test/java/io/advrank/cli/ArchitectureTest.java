package io.advrank.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module boundaries, checked on the compiled main classes of every module (the CLI's test
 * classpath holds them all): services are independent of each other, core (the science) knows no
 * Kafka, and no service reaches for the embedded broker, which only the CLI and tests start.
 */
class ArchitectureTest {
  private static final List<String> SERVICES =
      List.of("producer", "attackworker", "ranker", "monitor", "defensetrainer", "console");

  private static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    main =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.advrank");
    // The rules below hold vacuously on classes that were not found: make sure they were.
    for (String type :
        List.of(
            "io.advrank.core.model.EmbeddingModel",
            "io.advrank.producer.ProducerMain",
            "io.advrank.attackworker.AttackWorkerMain",
            "io.advrank.ranker.RankerMain",
            "io.advrank.monitor.MonitorMain",
            "io.advrank.defensetrainer.DefenseTrainerMain",
            "io.advrank.console.ConsoleService",
            "io.advrank.embedded.EmbeddedKafka",
            "io.advrank.bench.AttackBenchmark",
            "io.advrank.cli.bench.BenchCommand",
            "io.advrank.serving.ServedVersions")) {
      if (!main.contain(type)) {
        throw new AssertionError(type + " was not imported: the rules would check nothing");
      }
    }
  }

  @Test
  void noServiceDependsOnAnother() {
    for (String service : SERVICES) {
      String[] others =
          SERVICES.stream()
              .filter(s -> !s.equals(service))
              .map(s -> "io.advrank." + s + "..")
              .toArray(String[]::new);
      noClasses()
          .that()
          .resideInAPackage("io.advrank." + service + "..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(others)
          .because("services talk through Kafka topics, not through each other's classes")
          .check(main);
    }
  }

  @Test
  void coreKnowsNoKafkaAndNoService() {
    noClasses()
        .that()
        .resideInAPackage("io.advrank.core..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.apache.kafka..",
            "io.advrank.runtime..",
            "io.advrank.serving..",
            "io.advrank.cli..",
            "io.advrank.producer..",
            "io.advrank.attackworker..",
            "io.advrank.ranker..",
            "io.advrank.monitor..",
            "io.advrank.defensetrainer..")
        .because("core is the science library: models, attacks, defenses, data")
        .check(main);
  }

  @Test
  void librariesDependOnNoService() {
    String[] services = SERVICES.stream().map(s -> "io.advrank." + s + "..").toArray(String[]::new);
    noClasses()
        .that()
        .resideInAnyPackage("io.advrank.runtime..", "io.advrank.serving..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(services)
        .because("runtime and serving are shared by the services")
        .check(main);
  }

  @Test
  void noServiceStartsABroker() {
    String[] services = SERVICES.stream().map(s -> "io.advrank." + s + "..").toArray(String[]::new);
    noClasses()
        .that()
        .resideInAnyPackage(services)
        .or()
        .resideInAnyPackage("io.advrank.serving..", "io.advrank.runtime..", "io.advrank.core..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.advrank.embedded..")
        .orShould()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "kafka.server..", "org.apache.kafka.server..", "org.apache.kafka.raft..")
        .because("a service runs against a cluster; brokers are started by the CLI and tests only")
        .check(main);
  }

  @Test
  void noServiceCarriesABenchmark() {
    String[] services = SERVICES.stream().map(s -> "io.advrank." + s + "..").toArray(String[]::new);
    noClasses()
        .that()
        .resideInAnyPackage(services)
        .or()
        .resideInAnyPackage("io.advrank.serving..", "io.advrank.runtime..", "io.advrank.core..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.advrank.bench..", "io.advrank.cli..")
        .because("benchmarks and experiments run from the CLI; a service jar does not carry them")
        .check(main);
  }

  @Test
  void theScienceBenchmarksNeedNothingButCore() {
    noClasses()
        .that()
        .resideInAPackage("io.advrank.bench..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.apache.kafka..",
            "io.advrank.runtime..",
            "io.advrank.serving..",
            "io.advrank.embedded..",
            "io.advrank.cli..")
        .because("deploy/gpu runs DeviceCheck with core's and bench's jars only, without Kafka")
        .check(main);
  }
}
