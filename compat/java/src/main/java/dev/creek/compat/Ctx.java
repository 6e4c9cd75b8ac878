package dev.creek.compat;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Properties;

/** What a scenario gets: the broker, a unique name, and clean-up for what it opens. */
public final class Ctx {
  public final String bootstrap;
  private final String baseName;
  /** The broker's SSL listener and the CA file of its certificate; null when the run has none. */
  public final String tlsBootstrap;
  public final String caFile;
  private final Deque<AutoCloseable> opened = new ArrayDeque<>();

  Ctx(String bootstrap, String baseName, String tlsBootstrap, String caFile) {
    this.bootstrap = bootstrap;
    this.baseName = baseName;
    this.tlsBootstrap = tlsBootstrap;
    this.caFile = caFile;
  }

  /** A topic or group name unique to this scenario and run. */
  public String name(String suffix) {
    return suffix.isEmpty() ? baseName : baseName + "-" + suffix;
  }

  public String name() {
    return baseName;
  }

  /** Closed (last opened first) when the scenario ends, whatever its outcome. */
  public <T extends AutoCloseable> T closeLater(T resource) {
    opened.push(resource);
    return resource;
  }

  /** Client properties with bootstrap.servers set, plus the given key/value pairs. */
  public Properties props(String... keyValues) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    for (int i = 0; i < keyValues.length; i += 2) p.put(keyValues[i], keyValues[i + 1]);
    return p;
  }

  void closeAll() {
    while (!opened.isEmpty()) {
      try {
        opened.pop().close();
      } catch (Exception err) {
        System.err.println("compat: closing after the scenario: " + err);
      }
    }
  }
}
