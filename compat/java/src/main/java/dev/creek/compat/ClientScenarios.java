package dev.creek.compat;

import static dev.creek.compat.Check.check;
import static dev.creek.compat.Check.equal;
import static dev.creek.compat.Check.eventually;
import static dev.creek.compat.Kafka.bytes;
import static dev.creek.compat.Kafka.text;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.utils.Utils;

/** kafka-clients 4.4.0: producer and consumer scenarios (groups, transactions, seeks, codecs). */
final class ClientScenarios {
  private ClientScenarios() {}

  static void metadata(Ctx ctx) throws Exception {
    String topic = ctx.name();
    Kafka.createTopic(ctx, topic, 3);
    Admin admin = Kafka.admin(ctx);
    var cluster = admin.describeCluster();
    List<Node> nodes = new ArrayList<>(cluster.nodes().get(20, TimeUnit.SECONDS));
    check(!nodes.isEmpty(), "describeCluster listed no broker");
    check(cluster.clusterId().get() != null && !cluster.clusterId().get().isEmpty(), "describeCluster gave no cluster id");
    Node controller = cluster.controller().get();
    check(controller != null && !controller.isEmpty(), "describeCluster gave no controller");
    Set<Integer> ids = new HashSet<>();
    for (Node n : nodes) ids.add(n.id());
    List<PartitionInfo> partitions = Kafka.producer(ctx).partitionsFor(topic);
    Set<Integer> numbers = new TreeSet<>();
    for (PartitionInfo p : partitions) {
      numbers.add(p.partition());
      check(p.leader() != null && ids.contains(p.leader().id()), "partition " + p.partition() + " leader " + p.leader() + " is not a listed broker " + ids);
    }
    equal(numbers, new TreeSet<>(List.of(0, 1, 2)), "partitions of " + topic);
  }

  /** Keys, a null key, a tombstone and headers, uncompressed; read back with offsets. */
  static void produceConsume(Ctx ctx) throws Exception {
    String topic = ctx.name();
    List<ProducerRecord<byte[], byte[]>> sent = List.of(
        new ProducerRecord<>(topic, 0, bytes("k1"), bytes("v1"), List.<Header>of(new RecordHeader("h1", bytes("a")), new RecordHeader("h2", bytes("b")))),
        new ProducerRecord<>(topic, 0, null, bytes("no-key")),
        new ProducerRecord<>(topic, 0, bytes("k1"), null, List.<Header>of(new RecordHeader("tombstone", bytes("yes")))),
        new ProducerRecord<>(topic, 0, bytes("k2"), bytes("v2")));
    List<RecordMetadata> acks = Kafka.sendAll(Kafka.producer(ctx, "compression.type", "none"), sent);
    List<Long> offsets = new ArrayList<>();
    for (RecordMetadata m : acks) offsets.add(m.offset());
    equal(offsets, List.of(0L, 1L, 2L, 3L), "acknowledged offsets");
    List<String> got = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : Kafka.readPartition(ctx, topic, 4, 0)) got.add(describe(r));
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < sent.size(); i++) {
      ProducerRecord<byte[], byte[]> s = sent.get(i);
      expected.add(i + " " + text(s.key()) + " " + text(s.value()) + " " + headers(s.headers()));
    }
    equal(got, expected, "consumed offset key value headers");
  }

  private static String describe(ConsumerRecord<byte[], byte[]> r) {
    return r.offset() + " " + text(r.key()) + " " + text(r.value()) + " " + headers(r.headers());
  }

  private static String headers(Iterable<Header> headers) {
    List<String> out = new ArrayList<>();
    for (Header h : headers) out.add(h.key() + "=" + text(h.value()));
    return out.toString();
  }

  static Scenario compression(String codec) {
    return ctx -> {
      String topic = ctx.name();
      String prefix = codec + "-record-";
      Kafka.sendAll(Kafka.producer(ctx, "compression.type", codec, "linger.ms", "20"), Kafka.values(topic, 200, prefix));
      equal(Kafka.valuesOf(Kafka.readPartition(ctx, topic, 200, 0)), Kafka.expectedValues(200, prefix), "values consumed");
    };
  }

  static void largeMessage(Ctx ctx) throws Exception {
    String topic = ctx.name();
    Kafka.createTopic(ctx, topic, 1, Map.of("max.message.bytes", String.valueOf(2 * 1024 * 1024)));
    byte[] big = new byte[1024 * 1024];
    java.util.Arrays.fill(big, (byte) 'x');
    Kafka.sendAll(Kafka.producer(ctx, "max.request.size", String.valueOf(3 * 1024 * 1024)), List.of(new ProducerRecord<>(topic, 0, null, big)));
    ConsumerRecord<byte[], byte[]> r = Kafka.readPartition(ctx, topic, 1, 0).get(0);
    check(java.util.Arrays.equals(r.value(), big), "value of " + r.value().length + " bytes differs from the 1 MiB sent");
  }

  /** The default partitioner puts a keyed record on murmur2(key) mod partitions, for every producer. */
  static void partitioner(Ctx ctx) throws Exception {
    String topic = ctx.name();
    Kafka.createTopic(ctx, topic, 4);
    for (int round = 0; round < 2; round++) {
      List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
      for (int i = 0; i < 24; i++) records.add(new ProducerRecord<>(topic, bytes("key-" + i), bytes("v")));
      List<RecordMetadata> acks = Kafka.sendAll(Kafka.producer(ctx), records);
      for (int i = 0; i < 24; i++) {
        int expected = Utils.toPositive(Utils.murmur2(bytes("key-" + i))) % 4;
        equal(acks.get(i).partition(), expected, "partition of key-" + i);
      }
    }
  }

  /** The default producer is idempotent: one producer id, sequences from 0, contiguous offsets. */
  static void idempotence(Ctx ctx) throws Exception {
    String topic = ctx.name();
    Kafka.createTopic(ctx, topic, 1);
    KafkaProducer<byte[], byte[]> producer = Kafka.producer(ctx, "linger.ms", "5");
    List<RecordMetadata> acks = Kafka.sendAll(producer, Kafka.values(topic, 50, "first-"));
    acks.addAll(Kafka.sendAll(producer, Kafka.values(topic, 50, "second-")));
    for (int i = 0; i < acks.size(); i++) equal(acks.get(i).offset(), (long) i, "offset of record " + i);
    TopicPartition tp = new TopicPartition(topic, 0);
    List<ProducerState> producers = Kafka.admin(ctx).describeProducers(List.of(tp)).partitionResult(tp).get().activeProducers();
    equal(producers.size(), 1, "active producers on " + tp + " " + producers);
    ProducerState state = producers.get(0);
    check(state.producerId() >= 0, "producer id " + state.producerId());
    equal(state.lastSequence(), 99, "last sequence of the idempotent producer");
    List<String> expected = Kafka.expectedValues(50, "first-");
    expected.addAll(Kafka.expectedValues(50, "second-"));
    equal(Kafka.valuesOf(Kafka.readPartition(ctx, topic, 100, 0)), expected, "values consumed");
  }

  /**
   * Consume-transform-produce: each input batch is upper-cased into the output topic and its offsets
   * committed with sendOffsetsToTransaction; a last transaction is aborted. read_committed sees
   * exactly the committed output, and the group's committed offset is the end of the input.
   */
  static void transactions(Ctx ctx) throws Exception {
    // The offsets carry the consumer's group metadata: a generation (classic) or a member epoch (KIP-848).
    for (String protocol : List.of("classic", "consumer")) consumeTransformProduce(ctx, protocol);
  }

  private static void consumeTransformProduce(Ctx ctx, String protocol) throws Exception {
    String input = ctx.name(protocol + "-in");
    String output = ctx.name(protocol + "-out");
    String group = ctx.name(protocol + "-group");
    Kafka.createTopic(ctx, input, 1);
    Kafka.createTopic(ctx, output, 1);
    Kafka.sendAll(Kafka.producer(ctx), Kafka.values(input, 20, "in-"));
    KafkaConsumer<byte[], byte[]> consumer = Kafka.consumer(ctx, "group.id", group, "group.protocol", protocol, "isolation.level", "read_committed", "max.poll.records", "5");
    consumer.subscribe(List.of(input));
    KafkaProducer<byte[], byte[]> producer = Kafka.producer(ctx, "transactional.id", ctx.name(protocol + "-txn"));
    producer.initTransactions();
    int transformed = 0;
    long deadline = System.nanoTime() + Kafka.WAIT.toNanos();
    while (transformed < 20 && System.nanoTime() < deadline) {
      var records = consumer.poll(Duration.ofMillis(200));
      if (records.isEmpty()) continue;
      producer.beginTransaction();
      Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
      for (ConsumerRecord<byte[], byte[]> r : records) {
        producer.send(new ProducerRecord<>(output, 0, null, bytes(text(r.value()).toUpperCase())));
        offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
        transformed++;
      }
      producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
      producer.commitTransaction();
    }
    equal(transformed, 20, "input records transformed (" + protocol + " group)");
    producer.beginTransaction();
    for (int i = 0; i < 5; i++) producer.send(new ProducerRecord<>(output, 0, null, bytes("ABORTED-" + i)));
    producer.flush();
    producer.abortTransaction();
    producer.beginTransaction();
    producer.send(new ProducerRecord<>(output, 0, null, bytes("LAST"))).get();
    producer.commitTransaction();

    List<String> expected = Kafka.expectedValues(20, "IN-");
    expected.add("LAST");
    equal(Kafka.valuesOf(Kafka.readPartition(ctx, output, 21, 0, "isolation.level", "read_committed")), expected, "read_committed output");
    // read_uncommitted also sees the aborted records (control records are never returned).
    List<String> uncommitted = Kafka.valuesOf(Kafka.readPartition(ctx, output, 26, 0, "isolation.level", "read_uncommitted"));
    equal(uncommitted.subList(20, 26), List.of("ABORTED-0", "ABORTED-1", "ABORTED-2", "ABORTED-3", "ABORTED-4", "LAST"), "read_uncommitted tail");
    var committed = Kafka.admin(ctx).listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    equal(committed.get(new TopicPartition(input, 0)).offset(), 20L, protocol + " group's committed input offset");
  }

  /**
   * Three members join a group on a 6-partition topic, then leave one by one: the partitions are
   * split between the members and always cover the topic, and every record is consumed.
   * `protocol` is group.protocol: classic (JoinGroup/SyncGroup) or consumer (KIP-848 heartbeats).
   */
  static Scenario consumerGroup(String protocol) {
    return ctx -> {
      String topic = ctx.name();
      String group = ctx.name("group");
      Kafka.createTopic(ctx, topic, 6);
      List<KafkaConsumer<byte[], byte[]>> members = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        KafkaConsumer<byte[], byte[]> c = Kafka.consumer(ctx, "group.id", group, "group.protocol", protocol, "client.id", ctx.name("member-" + i));
        c.subscribe(List.of(topic));
        members.add(c);
      }
      Set<String> consumed = new HashSet<>();
      KafkaProducer<byte[], byte[]> producer = Kafka.producer(ctx);
      int sent = 0;
      for (int size = 3; size >= 1; size--) {
        List<KafkaConsumer<byte[], byte[]>> active = members.subList(0, size);
        waitForSplit(active, topic, consumed);
        List<ProducerRecord<byte[], byte[]>> batch = new ArrayList<>();
        for (int i = 0; i < 30; i++, sent++) batch.add(new ProducerRecord<>(topic, i % 6, null, bytes("r" + sent)));
        Kafka.sendAll(producer, batch);
        int target = sent;
        long deadline = System.nanoTime() + Kafka.WAIT.toNanos();
        while (consumed.size() < target && System.nanoTime() < deadline) pollAll(active, consumed);
        equal(consumed.size(), target, "records consumed by " + size + " members");
        for (KafkaConsumer<byte[], byte[]> c : active) c.commitSync();
        if (size > 1) members.get(size - 1).close();
      }
      ConsumerGroupDescription d = Kafka.admin(ctx).describeConsumerGroups(List.of(group)).describedGroups().get(group).get();
      equal(d.type(), protocol.equals("consumer") ? GroupType.CONSUMER : GroupType.CLASSIC, "group type");
      equal(d.members().size(), 1, "members left in the group");
      patternSubscription(ctx, protocol);
    };
  }

  /**
   * subscribe(Pattern): the classic protocol matches topics in the client; the consumer protocol
   * sends the regular expression to the broker, which resolves it (KIP-848).
   */
  private static void patternSubscription(Ctx ctx, String protocol) throws Exception {
    String prefix = ctx.name("re");
    Kafka.createTopic(ctx, prefix + "-a", 2);
    Kafka.createTopic(ctx, prefix + "-b", 1);
    Kafka.createTopic(ctx, ctx.name("other"), 1);
    KafkaConsumer<byte[], byte[]> c = Kafka.consumer(ctx, "group.id", ctx.name("re-group"), "group.protocol", protocol);
    c.subscribe(java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(prefix) + "-.*"));
    Set<String> consumed = new HashSet<>();
    eventually("a pattern subscription assigned " + prefix + "-a and -b", Duration.ofSeconds(40), () -> {
      pollAll(List.of(c), consumed);
      Set<String> owned = new TreeSet<>();
      for (TopicPartition tp : c.assignment()) owned.add(tp.toString());
      return owned.equals(new TreeSet<>(List.of(prefix + "-a-0", prefix + "-a-1", prefix + "-b-0"))) ? owned : null;
    });
    Kafka.sendAll(Kafka.producer(ctx), List.of(
        new ProducerRecord<>(prefix + "-a", 1, null, bytes("in-a")),
        new ProducerRecord<>(prefix + "-b", 0, null, bytes("in-b")),
        new ProducerRecord<>(ctx.name("other"), 0, null, bytes("in-other"))));
    long deadline = System.nanoTime() + Kafka.WAIT.toNanos();
    while (consumed.size() < 2 && System.nanoTime() < deadline) pollAll(List.of(c), consumed);
    equal(new TreeSet<>(consumed), new TreeSet<>(List.of("in-a", "in-b")), "records consumed through the pattern");
  }

  private static void pollAll(List<KafkaConsumer<byte[], byte[]>> members, Set<String> consumed) {
    for (KafkaConsumer<byte[], byte[]> c : members) {
      for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(50))) consumed.add(text(r.value()));
    }
  }

  /** Polls every member until each has partitions and together they own all 6, each once. */
  private static void waitForSplit(List<KafkaConsumer<byte[], byte[]>> members, String topic, Set<String> consumed) throws InterruptedException {
    eventually(members.size() + " members splitting " + topic + "'s 6 partitions", Duration.ofSeconds(40), () -> {
      pollAll(members, consumed);
      List<Integer> owned = new ArrayList<>();
      for (KafkaConsumer<byte[], byte[]> c : members) {
        if (c.assignment().isEmpty()) return null;
        for (TopicPartition tp : c.assignment()) owned.add(tp.partition());
      }
      owned.sort(null);
      return owned.equals(List.of(0, 1, 2, 3, 4, 5)) ? owned : null;
    });
  }

  /** commitSync of a position, then a new consumer of the group resumes there. */
  static void commitResume(Ctx ctx) throws Exception {
    String topic = ctx.name();
    String group = ctx.name("group");
    Kafka.createTopic(ctx, topic, 1);
    Kafka.sendAll(Kafka.producer(ctx), Kafka.values(topic, 10, "m"));
    TopicPartition tp = new TopicPartition(topic, 0);
    KafkaConsumer<byte[], byte[]> first = Kafka.consumer(ctx, "group.id", group, "max.poll.records", "4");
    first.subscribe(List.of(topic));
    List<ConsumerRecord<byte[], byte[]>> got = Kafka.read(first, 4);
    equal(Kafka.valuesOf(got.subList(0, 4)), List.of("m0", "m1", "m2", "m3"), "first consumer's records");
    first.commitSync(Map.of(tp, new OffsetAndMetadata(4, "resume-here")));
    first.close();
    KafkaConsumer<byte[], byte[]> second = Kafka.consumer(ctx, "group.id", group);
    OffsetAndMetadata committed = second.committed(Set.of(tp)).get(tp);
    equal(committed == null ? null : committed.offset() + "/" + committed.metadata(), "4/resume-here", "committed offset/metadata");
    second.subscribe(List.of(topic));
    List<ConsumerRecord<byte[], byte[]>> rest = Kafka.read(second, 6);
    equal(rest.get(0).offset(), 4L, "offset the new consumer resumed at");
    equal(Kafka.valuesOf(rest), List.of("m4", "m5", "m6", "m7", "m8", "m9"), "resumed records");
  }

  static void seekOffset(Ctx ctx) throws Exception {
    String topic = ctx.name();
    Kafka.sendAll(Kafka.producer(ctx), Kafka.values(topic, 10, "m"));
    List<ConsumerRecord<byte[], byte[]>> got = Kafka.readPartition(ctx, topic, 4, 6);
    equal(got.get(0).offset(), 6L, "first offset after seek(6)");
    equal(Kafka.valuesOf(got), List.of("m6", "m7", "m8", "m9"), "records from offset 6");
  }

  /** offsetsForTimes finds the first record at or after a timestamp; past the end there is none. */
  static void seekTimestamp(Ctx ctx) throws Exception {
    String topic = ctx.name();
    long base = System.currentTimeMillis() - 60_000;
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < 10; i++) records.add(new ProducerRecord<>(topic, 0, base + i * 1000L, null, bytes("t" + i)));
    Kafka.sendAll(Kafka.producer(ctx), records);
    KafkaConsumer<byte[], byte[]> consumer = Kafka.consumer(ctx);
    TopicPartition tp = new TopicPartition(topic, 0);
    Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(Map.of(tp, base + 4500L));
    equal(found.get(tp) == null ? null : found.get(tp).offset() + "@" + found.get(tp).timestamp(), 5L + "@" + (base + 5000L), "offset@timestamp for a time between records 4 and 5");
    Map<TopicPartition, OffsetAndTimestamp> beyond = consumer.offsetsForTimes(Map.of(tp, base + 60_000L));
    equal(beyond.get(tp), null, "offsetsForTimes after the last record");
    consumer.assign(List.of(tp));
    consumer.seek(tp, found.get(tp).offset());
    List<ConsumerRecord<byte[], byte[]>> got = Kafka.read(consumer, 5);
    equal(Kafka.valuesOf(got), List.of("t5", "t6", "t7", "t8", "t9"), "records from the found offset");
    equal(got.get(0).timestamp(), base + 5000L, "timestamp of the first record read");
  }

  /** The PEM CA as truststore; produce and consume over the SSL listener. */
  static void tls(Ctx ctx) throws Exception {
    check(ctx.tlsBootstrap != null, "this run has no TLS listener (give --tls-bootstrap HOST:PORT and --tls-ca FILE)");
    String[] ssl = {"bootstrap.servers", ctx.tlsBootstrap, "security.protocol", "SSL", "ssl.truststore.type", "PEM", "ssl.truststore.location", ctx.caFile};
    String topic = ctx.name();
    Admin admin = ctx.closeLater(Admin.create(ctx.props(ssl)));
    check(!admin.describeCluster().nodes().get(20, TimeUnit.SECONDS).isEmpty(), "no broker over TLS");
    Kafka.sendAll(Kafka.producer(ctx, ssl), Kafka.values(topic, 10, "tls-"));
    KafkaConsumer<byte[], byte[]> consumer = Kafka.consumer(ctx, ssl);
    consumer.assign(List.of(new TopicPartition(topic, 0)));
    consumer.seekToBeginning(consumer.assignment());
    equal(Kafka.valuesOf(Kafka.read(consumer, 10)), Kafka.expectedValues(10, "tls-"), "values over TLS");
  }
}
