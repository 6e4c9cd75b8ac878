package dev.creek.compat;

import static dev.creek.compat.Check.check;
import static dev.creek.compat.Check.equal;
import static dev.creek.compat.Check.eventually;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ClassicGroupDescription;
import org.apache.kafka.common.ClassicGroupState;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.utils.Utils;

/**
 * Kafka Connect 4.4.0 workers in their own JVMs (ConnectStandalone, ConnectDistributed), moving
 * lines file → FileStreamSource → topic → FileStreamSink → file through the broker.
 */
final class ConnectScenarios {
  private ConnectScenarios() {}

  private static final String STANDALONE = "org.apache.kafka.connect.cli.ConnectStandalone";
  private static final String DISTRIBUTED = "org.apache.kafka.connect.cli.ConnectDistributed";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** Worker settings both modes share: string converters, a loopback REST port, plugins found by their service manifests. */
  private static Properties worker(Ctx ctx, int port) {
    return ctx.props(
        "key.converter", "org.apache.kafka.connect.storage.StringConverter",
        "value.converter", "org.apache.kafka.connect.storage.StringConverter",
        "listeners", "http://127.0.0.1:" + port,
        "plugin.discovery", "service_load",
        "offset.flush.interval.ms", "500");
  }

  private static Map<String, String> source(Path file, String topic) {
    return Map.of("connector.class", "org.apache.kafka.connect.file.FileStreamSourceConnector", "tasks.max", "1", "file", file.toString(), "topic", topic);
  }

  private static Map<String, String> sink(Path file, String topic) {
    return Map.of("connector.class", "org.apache.kafka.connect.file.FileStreamSinkConnector", "tasks.max", "1", "file", file.toString(), "topics", topic);
  }

  /** ConnectStandalone with connector property files: lines flow end to end, also lines appended later. */
  static void standalone(Ctx ctx) throws Exception {
    Path dir = tempDir(ctx);
    String topic = ctx.name();
    Path in = dir.resolve("in.txt");
    Path out = dir.resolve("out.txt");
    List<String> lines = lines("standalone", 0, 20);
    Files.write(in, lines);
    int port = freePort();
    Properties w = worker(ctx, port);
    w.put("offset.storage.file.filename", dir.resolve("offsets").toString());
    Path workerFile = write(dir.resolve("worker.properties"), w);
    Properties src = props(source(in, topic));
    src.put("name", ctx.name("source"));
    Properties snk = props(sink(out, topic));
    snk.put("name", ctx.name("sink"));
    ChildJvm connect = ctx.closeLater(ChildJvm.start(STANDALONE,
        List.of(workerFile.toString(), write(dir.resolve("source.properties"), src).toString(), write(dir.resolve("sink.properties"), snk).toString()), null));
    waitForLines(connect, out, lines);
    List<String> more = lines("standalone", 20, 10);
    Files.write(in, more, StandardOpenOption.APPEND);
    List<String> all = new ArrayList<>(lines);
    all.addAll(more);
    waitForLines(connect, out, all);
    equal(Kafka.valuesOf(Kafka.readPartition(ctx, topic, 30, 0)), all, "records the source wrote to " + topic);
    String connectors = get(port, "/connectors");
    check(connectors.contains(ctx.name("source")) && connectors.contains(ctx.name("sink")), "GET /connectors: " + connectors);
    // Its sink task's consumer group committed what the file received.
    String sinkGroup = "connect-" + ctx.name("sink");
    Check.eventually("the sink's committed offset", () -> {
      var offsets = Kafka.admin(ctx).listConsumerGroupOffsets(sinkGroup).partitionsToOffsetAndMetadata().get(20, TimeUnit.SECONDS);
      var committed = offsets.get(new org.apache.kafka.common.TopicPartition(topic, 0));
      return committed != null && committed.offset() == 30 ? true : null;
    });
    connect.stop();
  }

  /**
   * ConnectDistributed keeps its configs, offsets and status in topics on the broker (created
   * compacted); connectors are created over its REST API, run, report RUNNING, and are deleted.
   */
  static void distributed(Ctx ctx) throws Exception {
    Path dir = tempDir(ctx);
    String topic = ctx.name();
    Path in = dir.resolve("in.txt");
    Path out = dir.resolve("out.txt");
    List<String> lines = lines("distributed", 0, 20);
    Files.write(in, lines);
    int port = freePort();
    Properties w = worker(ctx, port);
    String configs = ctx.name("configs");
    String offsets = ctx.name("offsets");
    String status = ctx.name("status");
    w.put("group.id", ctx.name("cluster"));
    w.put("config.storage.topic", configs);
    w.put("offset.storage.topic", offsets);
    w.put("status.storage.topic", status);
    for (String kind : List.of("config", "offset", "status")) w.put(kind + ".storage.replication.factor", "-1");
    ChildJvm connect = ctx.closeLater(ChildJvm.start(DISTRIBUTED, List.of(write(dir.resolve("worker.properties"), w).toString()), null));
    eventually("the distributed worker's REST API (" + connect.command + ")", Duration.ofSeconds(60), () -> {
      Check.require(connect.alive(), "ConnectDistributed exited: " + connect.tail());
      return get(port, "/connectors").equals("[]") ? true : null;
    });
    String sourceName = ctx.name("source");
    String sinkName = ctx.name("sink");
    post(port, "/connectors", json(sourceName, source(in, topic)));
    post(port, "/connectors", json(sinkName, sink(out, topic)));
    waitForLines(connect, out, lines);
    for (String name : List.of(sourceName, sinkName)) {
      String state = eventually(name + " and its task RUNNING", Duration.ofSeconds(30), () -> {
        String s = get(port, "/connectors/" + name + "/status");
        return s.replaceAll("\\s", "").matches(".*\"connector\":\\{\"state\":\"RUNNING\".*\"tasks\":\\[\\{\"id\":0,\"state\":\"RUNNING\".*") ? s : null;
      });
      check(state.contains(name), "status of " + name + ": " + state);
    }
    equal(Kafka.valuesOf(Kafka.readPartition(ctx, topic, 20, 0)), lines, "records the source wrote to " + topic);
    Admin admin = Kafka.admin(ctx);
    for (String internal : List.of(configs, offsets, status)) {
      ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, internal);
      String policy = admin.describeConfigs(List.of(r)).all().get(20, TimeUnit.SECONDS).get(r).get("cleanup.policy").value();
      equal(policy, "compact", "cleanup.policy of the worker's topic " + internal);
    }
    equal(admin.describeTopics(List.of(configs)).allTopicNames().get(20, TimeUnit.SECONDS).get(configs).partitions().size(), 1, "partitions of the config topic");
    HttpResponse<String> deleted = HTTP.send(HttpRequest.newBuilder(uri(port, "/connectors/" + sourceName)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
    equal(deleted.statusCode(), 204, "DELETE /connectors/" + sourceName + " status");
    eventually(sourceName + " gone from GET /connectors", () -> get(port, "/connectors").contains(sourceName) ? null : true);
    // The worker is a member of a classic group of protocol type "connect" on the broker. Deleting a
    // connector makes the worker rejoin (Connect rebalances on every connector change), so the group
    // is Stable again only once that rebalance completes.
    String cluster = ctx.name("cluster");
    ClassicGroupDescription running = eventually("the worker group Stable after the deletion's rebalance", () -> {
      ClassicGroupDescription d = admin.describeClassicGroups(List.of(cluster)).describedGroups().get(cluster).get(20, TimeUnit.SECONDS);
      return d.state() == ClassicGroupState.STABLE ? d : null;
    });
    equal(running.members().size() + " " + running.protocol() + " " + running.protocolData(), "1 connect sessioned", "the worker group's members, protocol type and protocol");
    // A stopped worker leaves the group (how long its JVM then takes to exit is Jetty's business).
    connect.stop();
    eventually("the worker leaving its group", () -> {
      ClassicGroupDescription d = admin.describeClassicGroups(List.of(cluster)).describedGroups().get(cluster).get(20, TimeUnit.SECONDS);
      return d.members().isEmpty() && d.state() == ClassicGroupState.EMPTY ? true : null;
    });
  }

  private static List<String> lines(String prefix, int from, int count) {
    List<String> out = new ArrayList<>();
    for (int i = from; i < from + count; i++) out.add(prefix + " line " + i);
    return out;
  }

  private static void waitForLines(ChildJvm connect, Path out, List<String> expected) throws InterruptedException {
    List<List<String>> seen = new ArrayList<>(List.of(List.of()));
    try {
      eventually("the sink file holding the lines", Duration.ofSeconds(60), () -> {
        Check.require(connect.alive(), "the worker exited: " + connect.tail());
        seen.set(0, Files.exists(out) ? Files.readAllLines(out) : List.of());
        return seen.get(0).size() >= expected.size() ? true : null;
      });
    } catch (Check.Failed err) {
      throw new Check.Failed(err.getMessage() + ": " + seen.get(0).size() + " of " + expected.size() + " lines arrived; worker: " + tailOrEmpty(connect));
    }
    equal(seen.get(0), expected, "lines in the sink file");
  }

  private static String tailOrEmpty(ChildJvm child) {
    try {
      return child.tail();
    } catch (IOException e) {
      return "";
    }
  }

  private static Path tempDir(Ctx ctx) throws IOException {
    Path dir = Files.createTempDirectory("creek-compat-connect-");
    ctx.closeLater(() -> Utils.delete(dir.toFile()));
    return dir;
  }

  private static Properties props(Map<String, String> map) {
    Properties p = new Properties();
    p.putAll(map);
    return p;
  }

  private static Path write(Path file, Properties p) throws IOException {
    try (var w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      p.store(w, null);
    }
    return file;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static URI uri(int port, String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private static String get(int port, String path) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri(port, path)).timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) throw new Check.Failed("GET " + path + ": " + r.statusCode() + " " + r.body());
    return r.body();
  }

  private static void post(int port, String path, String body) throws Exception {
    HttpRequest req = HttpRequest.newBuilder(uri(port, path)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    HttpResponse<String> r = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 201) throw new Check.Failed("POST " + path + ": " + r.statusCode() + " " + r.body());
  }

  /** {"name": …, "config": {…}} (the values here need no escaping beyond quotes and backslashes). */
  private static String json(String name, Map<String, String> config) {
    StringBuilder sb = new StringBuilder("{\"name\":").append(quote(name)).append(",\"config\":{");
    String sep = "";
    for (var e : config.entrySet()) {
      sb.append(sep).append(quote(e.getKey())).append(':').append(quote(e.getValue()));
      sep = ",";
    }
    return sb.append("}}").toString();
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

}
