package dev.creek.compat;

import static dev.creek.compat.Check.check;
import static dev.creek.compat.Check.equal;
import static dev.creek.compat.Kafka.bytes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;

/**
 * Kafka's command-line tools (kafka-tools 4.4.0, the classes behind bin/kafka-*.sh), each run in
 * its own JVM with --bootstrap-server; their printed output is parsed and checked, and what they
 * changed is checked again through the Admin client.
 */
final class ToolScenarios {
  private ToolScenarios() {}

  private static final String TOPICS = "org.apache.kafka.tools.TopicCommand";
  private static final String CONSOLE_PRODUCER = "org.apache.kafka.tools.ConsoleProducer";
  private static final String CONSOLE_CONSUMER = "org.apache.kafka.tools.consumer.ConsoleConsumer";
  private static final String GROUPS = "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand";
  private static final String CONFIGS = "org.apache.kafka.tools.ConfigCommand";
  private static final String DELETE_RECORDS = "org.apache.kafka.tools.DeleteRecordsCommand";
  private static final String TRANSACTIONS = "org.apache.kafka.tools.TransactionsCommand";
  private static final String PRODUCER_PERF = "org.apache.kafka.tools.ProducerPerformance";
  private static final String CONSUMER_PERF = "org.apache.kafka.tools.ConsumerPerformance";
  private static final String GET_OFFSETS = "org.apache.kafka.tools.GetOffsetShell";
  private static final String API_VERSIONS = "org.apache.kafka.tools.BrokerApiVersionsCommand";
  private static final String REASSIGN = "org.apache.kafka.tools.reassign.ReassignPartitionsCommand";
  private static final int TOOL_SECONDS = 60;

  private static String tool(Ctx ctx, String mainClass, String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of("--bootstrap-server", ctx.bootstrap));
    all.addAll(List.of(args));
    return ChildJvm.run(TOOL_SECONDS, mainClass, all.toArray(String[]::new));
  }

  private static String find(String text, String regex, String what) {
    Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
    check(m.find(), what + ": no match for /" + regex + "/ in: " + Check.show(text));
    return m.group(1);
  }

  /** kafka-topics: create with a config, list, describe (id, partitions, config), delete. */
  static void topics(Ctx ctx) throws Exception {
    String topic = ctx.name();
    String created = tool(ctx, TOPICS, "--create", "--topic", topic, "--partitions", "2", "--config", "retention.ms=3600000");
    check(created.contains("Created topic " + topic), "kafka-topics --create printed: " + created);
    check(tool(ctx, TOPICS, "--list").lines().anyMatch(topic::equals), "kafka-topics --list lacks " + topic);
    String described = tool(ctx, TOPICS, "--describe", "--topic", topic);
    equal(find(described, "PartitionCount: (\\d+)", "partition count"), "2", "PartitionCount in --describe");
    String id = find(described, "TopicId: (\\S+)", "topic id");
    equal(Uuid.fromString(id), Kafka.admin(ctx).describeTopics(List.of(topic)).allTopicNames().get(20, TimeUnit.SECONDS).get(topic).topicId(), "TopicId in --describe");
    check(described.contains("retention.ms=3600000"), "--describe shows no retention.ms=3600000: " + described);
    check(described.lines().filter(l -> l.contains("Partition: ")).count() == 2, "--describe lists 2 partitions: " + described);
    tool(ctx, TOPICS, "--delete", "--topic", topic);
    Check.eventually(topic + " gone", () -> Kafka.admin(ctx).listTopics().names().get().contains(topic) ? null : true);
    ChildJvm failed = ctx.closeLater(ChildJvm.start(TOPICS, List.of("--bootstrap-server", ctx.bootstrap, "--describe", "--topic", topic), null));
    check(failed.waitFor(TOOL_SECONDS) != 0, "kafka-topics --describe of the deleted topic succeeded: " + failed.stdout());
    check((failed.stdout() + failed.stderr()).contains("does not exist"), "kafka-topics --describe of a deleted topic said: " + failed.tail());
  }

  /** kafka-broker-api-versions: every broker of the cluster with the APIs it serves, each usable by the 4.4 tools. */
  static void metadata(Ctx ctx) throws Exception {
    String out = tool(ctx, API_VERSIONS);
    var nodes = Kafka.admin(ctx).describeCluster().nodes().get(20, TimeUnit.SECONDS);
    for (var node : nodes) check(out.contains(node.host() + ":" + node.port() + " (id: " + node.id()), "kafka-broker-api-versions lacks broker " + node + ": " + out);
    for (String api : List.of("Produce(0)", "Fetch(1)", "ListOffsets(2)", "Metadata(3)", "FindCoordinator(10)", "JoinGroup(11)", "ApiVersions(18)", "CreateTopics(19)", "InitProducerId(22)", "ConsumerGroupHeartbeat(68)")) {
      String line = out.lines().filter(l -> l.trim().startsWith(api + ":")).findFirst().orElse("");
      check(line.contains("[usable: "), api + " not usable in kafka-broker-api-versions: " + (line.isEmpty() ? "missing" : line.trim()));
    }
  }

  /** kafka-topics --alter --partitions. */
  static void partitions(Ctx ctx) throws Exception {
    String topic = ctx.name();
    Kafka.createTopic(ctx, topic, 1);
    tool(ctx, TOPICS, "--alter", "--topic", topic, "--partitions", "4");
    equal(Kafka.admin(ctx).describeTopics(List.of(topic)).allTopicNames().get(20, TimeUnit.SECONDS).get(topic).partitions().size(), 4, "partitions after --alter");
    equal(find(tool(ctx, TOPICS, "--describe", "--topic", topic), "PartitionCount: (\\d+)", "partition count"), "4", "PartitionCount after --alter");
    reassign(ctx);
  }

  /**
   * kafka-reassign-partitions --execute then --verify: with three or more brokers a partition on
   * the first two moves to the last two (its records readable after), on one broker the partition
   * is "moved" where it is; the replicas the Admin client then sees are the target.
   */
  private static void reassign(Ctx ctx) throws Exception {
    Admin admin = Kafka.admin(ctx);
    List<Integer> ids = admin.describeCluster().nodes().get(20, TimeUnit.SECONDS).stream().map(n -> n.id()).sorted().toList();
    List<Integer> from = ids.size() >= 3 ? ids.subList(0, 2) : ids.subList(0, 1);
    List<Integer> to = ids.size() >= 3 ? ids.subList(ids.size() - 2, ids.size()) : from;
    String topic = ctx.name("moved");
    admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, Map.of(0, from)))).all().get(20, TimeUnit.SECONDS);
    KafkaProducer<byte[], byte[]> producer = Kafka.producer(ctx, "acks", "all");
    Check.eventually(topic + " writable", () -> producer.send(new ProducerRecord<>(topic, 0, null, bytes("before-move"))).get(20, TimeUnit.SECONDS));
    Path json = Files.createTempFile("creek-compat-reassign-", ".json");
    ctx.closeLater(() -> Files.deleteIfExists(json));
    Files.writeString(json, "{\"version\":1,\"partitions\":[{\"topic\":\"" + topic + "\",\"partition\":0,\"replicas\":" + to + "}]}");
    String started = tool(ctx, REASSIGN, "--reassignment-json-file", json.toString(), "--execute");
    check(started.contains("Successfully started partition reassignment for " + topic + "-0"), "kafka-reassign-partitions --execute printed: " + started);
    Check.eventually(topic + "-0 reassignment completed", () -> {
      String verified = tool(ctx, REASSIGN, "--reassignment-json-file", json.toString(), "--verify");
      return verified.contains("Reassignment of partition " + topic + "-0 is completed") ? verified : null;
    });
    var replicas = admin.describeTopics(List.of(topic)).allTopicNames().get(20, TimeUnit.SECONDS).get(topic).partitions().get(0).replicas();
    equal(replicas.stream().map(n -> n.id()).toList(), to, "replicas after kafka-reassign-partitions");
    equal(Kafka.valuesOf(Kafka.readPartition(ctx, topic, 1, 0)), List.of("before-move"), "records after the move");
  }

  /** Console producer with keys and headers, console consumer printing them back. */
  static void produceConsume(Ctx ctx) throws Exception {
    String topic = ctx.name();
    Kafka.createTopic(ctx, topic, 1);
    String input = "h1:a,h2:b\tk1\tv1\nh3:c\tk2\tv2\nh4:\tk3\tv3\n";
    ChildJvm.runWithInput(TOOL_SECONDS, input, CONSOLE_PRODUCER, "--bootstrap-server", ctx.bootstrap, "--topic", topic,
        "--reader-property", "parse.key=true", "--reader-property", "parse.headers=true",
        "--reader-property", "key.separator=\t", "--reader-property", "headers.delimiter=\t");
    var records = Kafka.readPartition(ctx, topic, 3, 0);
    List<String> got = new ArrayList<>();
    for (var r : records) {
      List<String> headers = new ArrayList<>();
      r.headers().forEach(h -> headers.add(h.key() + "=" + Kafka.text(h.value())));
      got.add(Kafka.text(r.key()) + " " + Kafka.text(r.value()) + " " + headers);
    }
    equal(got, List.of("k1 v1 [h1=a, h2=b]", "k2 v2 [h3=c]", "k3 v3 [h4=]"), "records the console producer wrote");
    String out = tool(ctx, CONSOLE_CONSUMER, "--topic", topic, "--from-beginning", "--max-messages", "3", "--timeout-ms", "30000",
        "--formatter-property", "print.key=true", "--formatter-property", "print.headers=true", "--formatter-property", "print.offset=true");
    List<String> lines = out.lines().filter(l -> !l.isBlank()).toList();
    equal(lines, List.of("Offset:0\th1:a,h2:b\tk1\tv1", "Offset:1\th3:c\tk2\tv2", "Offset:2\th4:\tk3\tv3"), "console consumer output");
  }

  /** kafka-consumer-groups --list and --describe with the lag of a group that read part of a topic. */
  static void groups(Ctx ctx) throws Exception {
    String topic = ctx.name();
    String group = ctx.name("group");
    Kafka.createTopic(ctx, topic, 1);
    Kafka.sendAll(Kafka.producer(ctx), Kafka.values(topic, 10, "g"));
    try (KafkaConsumer<byte[], byte[]> c = Kafka.consumer(ctx, "group.id", group, "max.poll.records", "6")) {
      c.subscribe(List.of(topic));
      Kafka.read(c, 6);
      c.commitSync(Map.of(new TopicPartition(topic, 0), new org.apache.kafka.clients.consumer.OffsetAndMetadata(6)));
    }
    check(tool(ctx, GROUPS, "--list").lines().anyMatch(group::equals), "kafka-consumer-groups --list lacks " + group);
    String described = tool(ctx, GROUPS, "--describe", "--group", group);
    String row = described.lines().filter(l -> l.contains(topic)).findFirst().orElse("");
    List<String> cols = List.of(row.trim().split("\\s+"));
    // GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID
    check(cols.size() >= 6, "--describe row for " + topic + ": " + described);
    equal(cols.subList(0, 6), List.of(group, topic, "0", "6", "10", "4"), "GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG");
    equal(cols.size() >= 7 ? cols.get(6) : null, "-", "CONSUMER-ID of a group without members");
  }

  /** kafka-consumer-groups --reset-offsets (--to-offset, then --to-earliest) --execute. */
  static void resetOffsets(Ctx ctx) throws Exception {
    String topic = ctx.name();
    String group = ctx.name("group");
    Kafka.createTopic(ctx, topic, 1);
    Kafka.sendAll(Kafka.producer(ctx), Kafka.values(topic, 10, "r"));
    Admin admin = Kafka.admin(ctx);
    TopicPartition tp = new TopicPartition(topic, 0);
    admin.alterConsumerGroupOffsets(group, Map.of(tp, new org.apache.kafka.clients.consumer.OffsetAndMetadata(9))).all().get(20, TimeUnit.SECONDS);
    String out = tool(ctx, GROUPS, "--reset-offsets", "--group", group, "--topic", topic, "--to-offset", "3", "--execute");
    check(out.lines().anyMatch(l -> l.trim().split("\\s+").length >= 4 && l.contains(topic) && l.trim().endsWith("3")), "--reset-offsets printed: " + out);
    equal(committed(admin, group, tp), 3L, "committed offset after --to-offset 3");
    tool(ctx, GROUPS, "--reset-offsets", "--group", group, "--topic", topic, "--to-latest", "--execute");
    equal(committed(admin, group, tp), 10L, "committed offset after --to-latest");
    String ends = tool(ctx, GET_OFFSETS, "--topic", topic, "--time", "-1");
    equal(ends.trim(), topic + ":0:10", "kafka-get-offsets --time -1 (latest)");
    String starts = tool(ctx, GET_OFFSETS, "--topic", topic, "--time", "-2");
    equal(starts.trim(), topic + ":0:0", "kafka-get-offsets --time -2 (earliest)");
    String dry = tool(ctx, GROUPS, "--reset-offsets", "--group", group, "--topic", topic, "--to-earliest", "--dry-run");
    check(dry.contains(topic), "--dry-run printed: " + dry);
    equal(committed(admin, group, tp), 10L, "committed offset after a --dry-run");
  }

  private static long committed(Admin admin, String group, TopicPartition tp) throws Exception {
    return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(20, TimeUnit.SECONDS).get(tp).offset();
  }

  /** kafka-configs --alter --add-config / --delete-config, --describe. */
  static void configs(Ctx ctx) throws Exception {
    String topic = ctx.name();
    Kafka.createTopic(ctx, topic, 1);
    tool(ctx, CONFIGS, "--alter", "--entity-type", "topics", "--entity-name", topic, "--add-config", "retention.ms=1234567,max.message.bytes=65536");
    ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    var config = Kafka.admin(ctx).describeConfigs(List.of(r)).all().get(20, TimeUnit.SECONDS).get(r);
    equal(config.get("retention.ms").value() + " " + config.get("max.message.bytes").value(), "1234567 65536", "configs set by kafka-configs");
    String described = tool(ctx, CONFIGS, "--describe", "--entity-type", "topics", "--entity-name", topic);
    check(described.contains("retention.ms=1234567") && described.contains("max.message.bytes=65536"), "kafka-configs --describe: " + described);
    tool(ctx, CONFIGS, "--alter", "--entity-type", "topics", "--entity-name", topic, "--delete-config", "retention.ms");
    String after = tool(ctx, CONFIGS, "--describe", "--entity-type", "topics", "--entity-name", topic);
    check(!after.contains("retention.ms=") && after.contains("max.message.bytes=65536"), "kafka-configs --describe after --delete-config: " + after);
    String broker = tool(ctx, CONFIGS, "--describe", "--entity-type", "brokers", "--entity-default");
    check(!broker.contains("Exception"), "kafka-configs --describe of broker defaults: " + broker);
  }

  /** kafka-delete-records with an offset JSON file. */
  static void deleteRecords(Ctx ctx) throws Exception {
    String topic = ctx.name();
    Kafka.createTopic(ctx, topic, 1);
    Kafka.sendAll(Kafka.producer(ctx), Kafka.values(topic, 10, "d"));
    Path json = Files.createTempFile("creek-compat-delete-", ".json");
    ctx.closeLater(() -> Files.deleteIfExists(json));
    Files.writeString(json, "{\"partitions\":[{\"topic\":\"" + topic + "\",\"partition\":0,\"offset\":7}],\"version\":1}");
    String out = tool(ctx, DELETE_RECORDS, "--offset-json-file", json.toString());
    check(out.contains("low_watermark: 7"), "kafka-delete-records printed: " + out);
    TopicPartition tp = new TopicPartition(topic, 0);
    equal(Kafka.admin(ctx).listOffsets(Map.of(tp, OffsetSpec.earliest())).partitionResult(tp).get().offset(), 7L, "earliest offset after kafka-delete-records");
  }

  /** kafka-transactions list, describe and describe-producers while a transaction is open. */
  static void transactions(Ctx ctx) throws Exception {
    String topic = ctx.name();
    String txnId = ctx.name("txn");
    Kafka.createTopic(ctx, topic, 1);
    KafkaProducer<byte[], byte[]> producer = Kafka.producer(ctx, "transactional.id", txnId);
    producer.initTransactions();
    producer.beginTransaction();
    producer.send(new ProducerRecord<>(topic, 0, null, bytes("open"))).get();
    String listed = tool(ctx, TRANSACTIONS, "list");
    // TransactionalId Coordinator ProducerId TransactionState
    List<String> row = listed.lines().map(l -> List.of(l.trim().split("\\s+"))).filter(cols -> cols.get(0).equals(txnId)).findFirst().orElse(List.of());
    check(row.size() == 4 && row.get(3).equals("Ongoing"), "kafka-transactions list row for " + txnId + ": " + listed);
    String described = tool(ctx, TRANSACTIONS, "describe", "--transactional-id", txnId);
    check(described.contains("Ongoing") && described.contains(topic + "-0"), "kafka-transactions describe: " + described);
    String producers = tool(ctx, TRANSACTIONS, "describe-producers", "--topic", topic, "--partition", "0");
    String pid = row.get(2);
    equal(Long.parseLong(pid), Kafka.admin(ctx).describeTransactions(List.of(txnId)).description(txnId).get().producerId(), "ProducerId in the list");
    check(producers.lines().anyMatch(l -> l.trim().startsWith(pid + " ")), "describe-producers lacks producer " + pid + ": " + producers);
    producer.commitTransaction();
  }

  /** kafka-producer-perf-test and kafka-consumer-perf-test with a small count. */
  static void perf(Ctx ctx) throws Exception {
    String topic = ctx.name();
    Kafka.createTopic(ctx, topic, 1);
    String produced = ChildJvm.run(TOOL_SECONDS, PRODUCER_PERF, "--topic", topic, "--num-records", "2000", "--record-size", "100",
        "--throughput", "-1", "--bootstrap-server", ctx.bootstrap, "--command-property", "linger.ms=5", "acks=all");
    check(produced.contains("2000 records sent"), "producer perf test printed: " + produced);
    TopicPartition tp = new TopicPartition(topic, 0);
    equal(Kafka.admin(ctx).listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset(), 2000L, "records in the topic");
    String consumed = tool(ctx, CONSUMER_PERF, "--topic", topic, "--messages", "2000", "--timeout", "30000");
    // start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, ...
    String row = consumed.lines().filter(l -> l.matches("^\\d{4}-.*")).findFirst().orElse("");
    String[] cols = row.split(",\\s*");
    check(cols.length >= 6, "consumer perf test printed: " + consumed);
    equal(cols[4], "2000", "data.consumed.in.nMsg");
  }
}
