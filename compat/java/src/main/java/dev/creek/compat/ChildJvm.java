package dev.creek.compat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Kafka command-line program (a tool's or Connect's main class) in its own JVM on the harness's
 * classpath, as `bin/kafka-*.sh` would run it: they call System.exit, and Connect owns its process.
 * Output goes to files so a full pipe never blocks it.
 */
final class ChildJvm implements AutoCloseable {
  private static final String JAVA = ProcessHandle.current().info().command().orElse("java");
  private final Process process;
  private final Path out;
  private final Path err;
  final String command;

  private ChildJvm(Process process, Path out, Path err, String command) {
    this.process = process;
    this.out = out;
    this.err = err;
    this.command = command;
  }

  /** Starts `mainClass args…`; stdin comes from `input` (null: nothing). */
  static ChildJvm start(String mainClass, List<String> args, String input) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(JAVA, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx512m",
        "-cp", System.getProperty("java.class.path"), mainClass));
    cmd.addAll(args);
    Path out = Files.createTempFile("creek-compat-child-", ".out");
    Path err = Files.createTempFile("creek-compat-child-", ".err");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
    if (input == null) pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Process p = pb.start();
    if (input != null) {
      try (var stdin = p.getOutputStream()) {
        stdin.write(input.getBytes(StandardCharsets.UTF_8));
      }
    }
    String shortName = mainClass.substring(mainClass.lastIndexOf('.') + 1);
    return new ChildJvm(p, out, err, shortName + " " + String.join(" ", args));
  }

  /** Runs to its end (fails after `seconds`); returns its stdout; fails when it exits non-zero. */
  static String run(int seconds, String mainClass, String... args) throws Exception {
    return runWithInput(seconds, null, mainClass, args);
  }

  static String runWithInput(int seconds, String input, String mainClass, String... args) throws Exception {
    try (ChildJvm child = start(mainClass, List.of(args), input)) {
      int code = child.waitFor(seconds);
      if (code != 0) throw new Check.Failed(child.command + " exited " + code + ": " + child.tail());
      return child.stdout();
    }
  }

  /** Exit code; fails if still running after `seconds`. */
  int waitFor(int seconds) throws Exception {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) throw new Check.Failed(command + " still running after " + seconds + " s: " + tail());
    return process.exitValue();
  }

  boolean alive() {
    return process.isAlive();
  }

  String stdout() throws IOException {
    return Files.readString(out, StandardCharsets.UTF_8);
  }

  String stderr() throws IOException {
    return Files.readString(err, StandardCharsets.UTF_8);
  }

  /** The last lines of its stderr (or stdout), on one line. */
  String tail() throws IOException {
    String text = stderr().isBlank() ? stdout() : stderr();
    List<String> lines = text.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("at ")).toList();
    return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
  }

  /** SIGTERM (a clean shutdown through the program's hooks), SIGKILL after 20 s; returns the exit code. */
  int stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
    return process.exitValue();
  }

  /** SIGKILL: no shutdown hook, no clean close of anything it had open. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  @Override
  public void close() throws Exception {
    if (process.isAlive()) stop();
    Files.deleteIfExists(out);
    Files.deleteIfExists(err);
  }
}
