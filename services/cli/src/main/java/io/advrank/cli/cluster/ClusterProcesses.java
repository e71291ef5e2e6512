package io.advrank.cli.cluster;

import io.advrank.cli.cluster.ProcessSpec.Role;
import io.advrank.runtime.settings.KafkaSecurity;
import io.advrank.runtime.settings.SettingsSource;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Starts, finds and stops the processes of one local cluster, by process id only. Each process's
 * record lives in {@code <dir>/processes.tsv} (name, role, pid, port, log, and the arguments that
 * start it again), and every advrank child carries {@code -Dadvrank.cluster.dir=<dir>} on its
 * command line, so that a pid reused by an unrelated process after a reboot is never signalled.
 */
final class ClusterProcesses {
  static final String MARKER = "-Dadvrank.cluster.dir=";
  private static final String TABLE = "processes.tsv";

  /** One started process as recorded. */
  record Entry(ProcessSpec spec, long pid, Path log) {}

  private final Path dir;
  private final Map<String, Entry> entries = new LinkedHashMap<>();

  private ClusterProcesses(Path dir) {
    this.dir = dir;
  }

  /** The processes recorded in {@code dir} (none if it has no table yet). */
  static ClusterProcesses in(Path dir) throws IOException {
    ClusterProcesses p = new ClusterProcesses(dir.toAbsolutePath().normalize());
    Path table = p.dir.resolve(TABLE);
    if (Files.exists(table)) {
      for (String line : Files.readAllLines(table, StandardCharsets.UTF_8)) {
        String[] f = line.split("\t", -1);
        if (f.length < 6 || line.startsWith("#")) {
          continue;
        }
        List<String> args = f[5].isEmpty() ? List.of() : List.of(f[5].split("\u001f"));
        List<String> command =
            f.length > 6 && !f[6].isEmpty() ? List.of(f[6].split("\u001f")) : List.of();
        ProcessSpec spec =
            new ProcessSpec(f[0], Role.valueOf(f[1]), Integer.parseInt(f[3]), args, command);
        p.entries.put(f[0], new Entry(spec, Long.parseLong(f[2]), Path.of(f[4])));
      }
    }
    return p;
  }

  Path dir() {
    return dir;
  }

  synchronized List<Entry> entries() {
    return List.copyOf(entries.values());
  }

  synchronized Optional<Entry> get(String name) {
    return Optional.ofNullable(entries.get(name));
  }

  /** The live process of a recorded entry, if it is still the one this cluster started. */
  Optional<ProcessHandle> live(Entry e) {
    return ProcessHandle.of(e.pid()).filter(ProcessHandle::isAlive).filter(h -> ours(h, e));
  }

  private boolean ours(ProcessHandle h, Entry e) {
    String line = h.info().commandLine().orElse("");
    if (e.spec().role() == Role.PROMETHEUS) {
      return line.contains(dir.toString());
    }
    return line.contains(MARKER + dir);
  }

  /** Starts a process (output to {@code logs/<name>.log}, appended) and records it. */
  synchronized Entry start(ProcessSpec spec) throws IOException {
    Path logs = Files.createDirectories(dir.resolve("logs"));
    Path log = logs.resolve(spec.name() + ".log");
    ProcessBuilder pb = new ProcessBuilder(commandLine(spec));
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    // The local brokers listen in plain text: Kafka security settings of the shell are not theirs.
    KafkaSecurity.KEYS.forEach(k -> pb.environment().remove(SettingsSource.envName(k)));
    Process p = pb.start();
    Entry e = new Entry(spec, p.pid(), log);
    entries.put(spec.name(), e);
    save();
    return e;
  }

  /** Starts a recorded process again with the same arguments (after a crash or a kill). */
  synchronized Entry restart(String name) throws IOException {
    Entry e = entries.get(name);
    if (e == null) {
      throw new IllegalArgumentException("no process named " + name + " in " + dir);
    }
    return start(e.spec());
  }

  /** SIGKILL, as {@code kill -9}: no shutdown hook runs. */
  void kill(String name) {
    get(name).flatMap(this::live).ifPresent(ProcessHandle::destroyForcibly);
  }

  /**
   * Stops the given processes: SIGTERM to all, then SIGKILL to those still alive after {@code
   * grace}. Returns the names that needed SIGKILL.
   */
  List<String> stop(List<Entry> which, Duration grace) throws InterruptedException {
    Map<String, ProcessHandle> running = new LinkedHashMap<>();
    for (Entry e : which) {
      live(e).ifPresent(h -> running.put(e.spec().name(), h));
    }
    running.values().forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + grace.toNanos();
    while (running.values().stream().anyMatch(ProcessHandle::isAlive)
        && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    List<String> forced = new ArrayList<>();
    running.forEach(
        (name, h) -> {
          if (h.isAlive()) {
            h.destroyForcibly();
            forced.add(name);
          }
        });
    return forced;
  }

  /** Forgets every record (after {@code cluster down}). */
  synchronized void clear() throws IOException {
    entries.clear();
    save();
  }

  private List<String> commandLine(ProcessSpec spec) {
    if (spec.role() == Role.PROMETHEUS) {
      return spec.command();
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    // The launcher's JVM settings (libtorch threads, offline DJL, log levels) carry over.
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("-D") && !arg.startsWith(MARKER)) {
        cmd.add(arg);
      }
    }
    cmd.add(spec.role() == Role.BROKER ? "-Xmx512m" : "-Xmx1g");
    cmd.add(MARKER + dir);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("io.advrank.cli.AdvrankCli");
    cmd.addAll(spec.args());
    return cmd;
  }

  private void save() throws IOException {
    StringBuilder out = new StringBuilder("# name\trole\tpid\tport\tlog\targs\tcommand\n");
    for (Entry e : entries.values()) {
      ProcessSpec s = e.spec();
      out.append(s.name()).append('\t').append(s.role()).append('\t').append(e.pid());
      out.append('\t').append(s.port()).append('\t').append(e.log()).append('\t');
      out.append(String.join("\u001f", s.args())).append('\t');
      out.append(String.join("\u001f", s.command())).append('\n');
    }
    Files.createDirectories(dir);
    Path tmp = dir.resolve(TABLE + ".tmp");
    Files.writeString(tmp, out, StandardCharsets.UTF_8);
    Files.move(tmp, dir.resolve(TABLE), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }
}
