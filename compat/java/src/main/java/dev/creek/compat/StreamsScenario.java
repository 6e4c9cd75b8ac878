package dev.creek.compat;

import static dev.creek.compat.Check.check;
import static dev.creek.compat.Check.equal;
import static dev.creek.compat.Check.eventually;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.StreamsGroupDescription;
import org.apache.kafka.clients.admin.StreamsGroupMemberDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;

/**
 * Kafka Streams 4.4.0 word count under exactly_once_v2: lines → words → groupBy word (a
 * repartition topic) → count (a state store and its changelog) → output. The app is stopped after
 * part of the input and a new instance with the same application.id (and an empty state
 * directory, so it restores from the changelog) finishes it: the final counts must be exact.
 */
final class StreamsScenario {
  private StreamsScenario() {}

  private static final int LINES_PER_PHASE = 60;

  static void wordCount(Ctx ctx) throws Exception {
    String input = ctx.name("lines");
    String output = ctx.name("counts");
    String appId = ctx.name("app");
    Kafka.createTopic(ctx, input, 2);
    Kafka.createTopic(ctx, output, 2);
    Map<String, Long> expected = new TreeMap<>();
    KafkaProducer<byte[], byte[]> producer = Kafka.producer(ctx);

    produceLines(producer, input, 0, expected);
    KafkaStreams first = start(ctx, appId, input, output);
    // Mid-stream: more lines while it runs; it is stopped once it has shown some counts.
    produceLines(producer, input, 1, expected);
    eventually("the first Streams instance writing counts", Duration.ofSeconds(60), () -> latestCounts(ctx, output, Duration.ofMillis(200)).isEmpty() ? null : true);
    // Leaving the group lets the next instance take over at once instead of after the session timeout.
    first.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP).withTimeout(Duration.ofSeconds(30)));
    equal(first.state(), KafkaStreams.State.NOT_RUNNING, "state of the first instance after close");

    produceLines(producer, input, 2, expected);
    start(ctx, appId, input, output);
    awaitCounts(ctx, output, expected);
    Set<String> topics = Kafka.admin(ctx).listTopics().names().get(20, TimeUnit.SECONDS);
    check(topics.contains(appId + "-word-counts-repartition"), "no repartition topic " + appId + "-word-counts-repartition in " + topics);
    check(topics.contains(appId + "-word-counts-changelog"), "no changelog topic " + appId + "-word-counts-changelog in " + topics);
  }

  /** Line i of phase p: three words, so counts differ per word. */
  private static void produceLines(KafkaProducer<byte[], byte[]> producer, String topic, int phase, Map<String, Long> expected) throws Exception {
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < LINES_PER_PHASE; i++) {
      int n = phase * LINES_PER_PHASE + i;
      String line = "w" + (n % 7) + " w" + (n % 5) + " all";
      for (String w : line.split(" ")) expected.merge(w, 1L, Long::sum);
      records.add(new ProducerRecord<>(topic, Kafka.bytes("line-" + n), Kafka.bytes(line)));
    }
    Kafka.sendAll(producer, records);
  }

  private static KafkaStreams start(Ctx ctx, String appId, String input, String output, String... extraConfig) throws Exception {
    Path stateDir = Files.createTempDirectory("creek-compat-streams-");
    ctx.closeLater(() -> Utils.delete(stateDir.toFile()));
    Properties config = config(ctx.bootstrap, appId, stateDir);
    for (int i = 0; i < extraConfig.length; i += 2) config.put(extraConfig[i], extraConfig[i + 1]);
    KafkaStreams streams = new KafkaStreams(topology(input, output), config);
    ctx.closeLater(() -> streams.close(Duration.ofSeconds(20)));
    AtomicReference<Throwable> died = new AtomicReference<>();
    streams.setUncaughtExceptionHandler(err -> {
      died.set(err);
      return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    streams.start();
    awaitRunning(streams, died);
    return streams;
  }

  private static Topology topology(String input, String output) {
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(input, Consumed.with(Serdes.String(), Serdes.String()))
        .flatMapValues(line -> Arrays.asList(line.split(" ")))
        .groupBy((key, word) -> word, Grouped.with("word-counts", Serdes.String(), Serdes.String()))
        .count(Materialized.as("word-counts"))
        .toStream()
        .to(output, Produced.with(Serdes.String(), Serdes.Long()));
    return builder.build();
  }

  /**
   * exactly_once_v2, commits every 100 ms, no record cache (every update is written), and the
   * broker's minimum session timeout so a killed instance's member expires quickly.
   */
  private static Properties config(String bootstrap, String appId, Path stateDir) {
    Properties p = new Properties();
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
    p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, "0");
    // Internal topics get the broker's default.replication.factor (Streams' own default, -1), as a user's would.
    p.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
    p.put(StreamsConfig.consumerPrefix("session.timeout.ms"), "6000");
    p.put(StreamsConfig.consumerPrefix("heartbeat.interval.ms"), "1000");
    return p;
  }

  private static void awaitRunning(KafkaStreams streams, AtomicReference<Throwable> died) throws InterruptedException {
    eventually("Streams instance RUNNING", Duration.ofSeconds(60), () -> {
      KafkaStreams.State state = streams.state();
      Throwable cause = died.get();
      Check.require(cause == null, "the Streams instance died: " + (cause == null ? "" : Check.describe(cause.getCause() != null ? cause.getCause() : cause)));
      Check.require(state != KafkaStreams.State.ERROR && state != KafkaStreams.State.NOT_RUNNING, "the Streams instance stopped: " + state);
      return state == KafkaStreams.State.RUNNING ? true : null;
    });
  }

  /**
   * The same word count killed with SIGKILL mid-stream (its JVM: Main BOOTSTRAP APP_ID INPUT
   * OUTPUT STATE_DIR, which prints RUNNING): its open transaction is never committed. A new
   * instance finishes; read_committed counts must be exact, nothing of the killed transaction in them.
   */
  static void killedAndRestarted(Ctx ctx) throws Exception {
    String input = ctx.name("lines");
    String output = ctx.name("counts");
    String appId = ctx.name("app");
    Kafka.createTopic(ctx, input, 2);
    Kafka.createTopic(ctx, output, 2);
    Map<String, Long> expected = new TreeMap<>();
    KafkaProducer<byte[], byte[]> producer = Kafka.producer(ctx);
    produceLines(producer, input, 0, expected);
    Path stateDir = Files.createTempDirectory("creek-compat-streams-");
    ctx.closeLater(() -> Utils.delete(stateDir.toFile()));
    ChildJvm child = ctx.closeLater(ChildJvm.start(StreamsScenario.class.getName(), List.of(ctx.bootstrap, appId, input, output, stateDir.toString()), null));
    eventually("the Streams JVM RUNNING", Duration.ofSeconds(60), () -> {
      Check.require(child.alive(), "the Streams JVM exited: " + child.tail());
      return child.stdout().contains("RUNNING") ? true : null;
    });
    eventually("the Streams JVM writing counts", Duration.ofSeconds(60), () -> latestCounts(ctx, output, Duration.ofMillis(200)).isEmpty() ? null : true);
    for (int phase = 1; phase <= 4; phase++) produceLines(producer, input, phase, expected);
    child.kill();
    produceLines(producer, input, 5, expected);
    start(ctx, appId, input, output);
    awaitCounts(ctx, output, expected);
  }

  /**
   * The word count on the Streams rebalance protocol (KIP-1071, group.protocol=streams): the
   * broker assigns the tasks and tells the app which internal topics to create.
   */
  static void streamsProtocol(Ctx ctx) throws Exception {
    String input = ctx.name("lines");
    String output = ctx.name("counts");
    String appId = ctx.name("app");
    Kafka.createTopic(ctx, input, 2);
    Kafka.createTopic(ctx, output, 2);
    Map<String, Long> expected = new TreeMap<>();
    KafkaProducer<byte[], byte[]> producer = Kafka.producer(ctx);
    produceLines(producer, input, 0, expected);
    start(ctx, appId, input, output, StreamsConfig.GROUP_PROTOCOL_CONFIG, "streams");
    produceLines(producer, input, 1, expected);
    awaitCounts(ctx, output, expected);
    var group = Kafka.admin(ctx).describeStreamsGroups(List.of(appId)).describedGroups().get(appId).get(20, TimeUnit.SECONDS);
    equal(group.members().size(), 1, "members of the streams group " + appId);
  }

  /**
   * Two instances of the word count on the streams rebalance protocol share the tasks (the broker
   * revokes half of the first instance's tasks before the second gets them); when the second
   * leaves, the first takes all of them back, and the counts stay exact throughout.
   */
  static void streamsProtocolTwoInstances(Ctx ctx) throws Exception {
    String input = ctx.name("lines");
    String output = ctx.name("counts");
    String appId = ctx.name("app");
    Kafka.createTopic(ctx, input, 4);
    Kafka.createTopic(ctx, output, 2);
    Map<String, Long> expected = new TreeMap<>();
    KafkaProducer<byte[], byte[]> producer = Kafka.producer(ctx);
    produceLines(producer, input, 0, expected);
    start(ctx, appId, input, output, StreamsConfig.GROUP_PROTOCOL_CONFIG, "streams");
    KafkaStreams second = start(ctx, appId, input, output, StreamsConfig.GROUP_PROTOCOL_CONFIG, "streams");
    produceLines(producer, input, 1, expected);
    eventually("both instances with active tasks in a stable group", Duration.ofSeconds(60), () -> {
      StreamsGroupDescription group = describeStreamsGroup(ctx, appId);
      boolean shared = group.members().size() == 2 && group.members().stream().allMatch(m -> activeTaskCount(m) > 0);
      return shared && group.groupState() == GroupState.STABLE ? true : null;
    });
    awaitCounts(ctx, output, expected);
    second.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP).withTimeout(Duration.ofSeconds(30)));
    produceLines(producer, input, 2, expected);
    awaitCounts(ctx, output, expected);
    eventually("the remaining instance with every task", Duration.ofSeconds(60), () -> {
      StreamsGroupDescription group = describeStreamsGroup(ctx, appId);
      return group.members().size() == 1 && activeTaskCount(group.members().iterator().next()) == 8 ? true : null;
    });
  }

  private static StreamsGroupDescription describeStreamsGroup(Ctx ctx, String appId) throws Exception {
    return Kafka.admin(ctx).describeStreamsGroups(List.of(appId)).describedGroups().get(appId).get(20, TimeUnit.SECONDS);
  }

  private static int activeTaskCount(StreamsGroupMemberDescription member) {
    return member.assignment().activeTasks().stream().mapToInt(t -> t.partitions().size()).sum();
  }

  /** The killed instance's JVM. */
  public static void main(String[] args) throws Exception {
    KafkaStreams streams = new KafkaStreams(topology(args[2], args[3]), config(args[0], args[1], Path.of(args[4])));
    streams.start();
    awaitRunning(streams, new AtomicReference<>());
    System.out.println("RUNNING");
    Thread.currentThread().join();
  }

  private static void awaitCounts(Ctx ctx, String output, Map<String, Long> expected) throws Exception {
    Map<String, Long> last = new TreeMap<>();
    try {
      eventually("exact final counts", Duration.ofSeconds(90), () -> {
        last.clear();
        last.putAll(latestCounts(ctx, output, Duration.ofMillis(500)));
        return last.equals(expected) ? true : null;
      });
    } catch (Check.Failed err) {
      throw new Check.Failed("final counts: expected " + expected + ", got " + last);
    }
  }

  /** The latest committed count per word in the output topic, read from the beginning. */
  private static Map<String, Long> latestCounts(Ctx ctx, String output, Duration quiet) {
    Properties p = ctx.props("auto.offset.reset", "earliest", "enable.auto.commit", "false", "isolation.level", "read_committed");
    Map<String, Long> counts = new HashMap<>();
    try (KafkaConsumer<String, Long> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new LongDeserializer())) {
      List<TopicPartition> partitions = List.of(new TopicPartition(output, 0), new TopicPartition(output, 1));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (System.nanoTime() < deadline && partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
        for (ConsumerRecord<String, Long> r : consumer.poll(quiet)) counts.put(r.key(), r.value());
      }
    }
    return counts;
  }

}
