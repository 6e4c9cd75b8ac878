package dev.creek.compat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One JVM runs every Java scenario of a compat run (JVM start-up is the expensive part).
 * Usage: Harness BOOTSTRAP [TLS_BOOTSTRAP CA_FILE]. Reads "RUN SCENARIO_ID NAME" lines on stdin,
 * answers each with one line on stdout: "PASS", or "FAIL " and why on one line. Everything else
 * the libraries print goes to stderr, so stdout carries only the answers.
 */
public final class Harness {
  private Harness() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1 && args.length != 3) {
      System.err.println("usage: Harness BOOTSTRAP [TLS_BOOTSTRAP CA_FILE]");
      System.exit(2);
    }
    PrintStream answers = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    System.setOut(System.err);
    Map<String, Scenario> scenarios = Scenarios.all();
    BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    answers.println("READY");
    for (String line; (line = commands.readLine()) != null; ) {
      String[] words = line.trim().split(" ");
      if (words.length != 3 || !words[0].equals("RUN")) {
        answers.println("FAIL harness: bad command " + line);
        continue;
      }
      Scenario scenario = scenarios.get(words[1]);
      if (scenario == null) {
        answers.println("FAIL harness: no scenario " + words[1]);
        continue;
      }
      Ctx ctx = new Ctx(args[0], words[2], args.length == 3 ? args[1] : null, args.length == 3 ? args[2] : null);
      answers.println(run(scenario, ctx));
    }
    // Client threads (Streams, Connect) may linger: stdin closed means the run is over.
    System.exit(0);
  }

  private static String run(Scenario scenario, Ctx ctx) {
    try {
      scenario.run(ctx);
      return "PASS";
    } catch (Throwable err) {
      err.printStackTrace();
      return "FAIL " + Check.describe(err).replace('\n', ' ').replace('\r', ' ');
    } finally {
      ctx.closeAll();
    }
  }
}
