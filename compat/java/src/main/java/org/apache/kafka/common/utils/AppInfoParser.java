package org.apache.kafka.common.utils;

/**
 * Bridge for connect-file 4.3.1, the newest FileStream connectors on Maven Central (4.4.0 is not
 * published there): their version() calls this class, which kafka-clients 4.4.0 moved to
 * org.apache.kafka.common.utils.internals. It is the only reference connect-file 4.3.1 makes that
 * 4.4.0 lacks (checked with javap over every class of the jar); the connectors run unchanged.
 */
public final class AppInfoParser {
  private AppInfoParser() {}

  public static String getVersion() {
    return org.apache.kafka.common.utils.internals.AppInfoParser.getVersion();
  }
}
