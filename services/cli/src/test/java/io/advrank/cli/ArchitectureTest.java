package io.advrank.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.syntax.elements.GivenClassesConjunction;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
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

  /**
   * The public methods and constructors of core with an NDArray, NDList or NDManager in their
   * signature: the crossings of core's package boundaries that stay, each inside one gradient
   * computation on the model's device (why: core.model's package-info, docs/development.md).
   */
  private static final Set<String> CORE_NDARRAY_CROSSINGS =
      new TreeSet<>(
          List.of(
              "model.EmbeddingModel.forward",
              "model.EmbeddingModel.manager",
              "train.BatchAdversary.perturb",
              "train.TripletAdversary.perturb",
              "train.TripletAdversary$Batch.<init>",
              "train.TripletAdversary$Batch.images",
              "attack.EmbeddingShiftAdversary.perturb",
              "attack.AntiCollapseAdversary.perturb"));

  private static final Set<String> ND_TYPES =
      Set.of("ai.djl.ndarray.NDArray", "ai.djl.ndarray.NDList", "ai.djl.ndarray.NDManager");

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
    noClassOfAServiceOrItsLibraries()
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
    noClassOfAServiceOrItsLibraries()
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

  @Test
  void noNdArrayCrossesAPackageOfCoreButTheListedOnes() {
    Set<String> found = new TreeSet<>();
    for (JavaClass c : main) {
      if (!c.getPackageName().startsWith("io.advrank.core.") || !exported(c)) {
        continue;
      }
      for (JavaCodeUnit u : c.getCodeUnits()) {
        boolean nd =
            Stream.concat(Stream.of(u.getRawReturnType()), u.getRawParameterTypes().stream())
                .anyMatch(t -> ND_TYPES.contains(t.getName()));
        if (nd && u.getModifiers().contains(JavaModifier.PUBLIC)) {
          found.add(c.getName().substring("io.advrank.core.".length()) + "." + u.getName());
        }
      }
    }
    // A new entry: narrow it to Java arrays or keep it inside its package. A missing one: good,
    // drop it from the list (and from core.model's package-info).
    assertEquals(CORE_NDARRAY_CROSSINGS, found);
  }

  /** No class of a service, nor of the libraries the services run on (serving, runtime, core). */
  private static GivenClassesConjunction noClassOfAServiceOrItsLibraries() {
    String[] services = SERVICES.stream().map(s -> "io.advrank." + s + "..").toArray(String[]::new);
    return noClasses()
        .that()
        .resideInAnyPackage(services)
        .or()
        .resideInAnyPackage("io.advrank.serving..", "io.advrank.runtime..", "io.advrank.core..");
  }

  /** Public, and so are the types it is nested in. */
  private static boolean exported(JavaClass c) {
    for (Optional<JavaClass> k = Optional.of(c); k.isPresent(); k = k.get().getEnclosingClass()) {
      if (!k.get().getModifiers().contains(JavaModifier.PUBLIC)) {
        return false;
      }
    }
    return true;
  }
}
