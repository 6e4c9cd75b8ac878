package dev.creek.compat;

import static dev.creek.compat.Check.check;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** The Java clients as the scenarios use them: byte[] keys and values, closed after the scenario. */
final class Kafka {
  private Kafka() {}

  static final Duration WAIT = Duration.ofSeconds(20);

  static byte[] bytes(String s) {
    return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
  }

  static String text(byte[] b) {
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }

  static Admin admin(Ctx ctx) {
    return ctx.closeLater(Admin.create(ctx.props()));
  }

  static KafkaProducer<byte[], byte[]> producer(Ctx ctx, String... config) {
    Properties p = ctx.props(config);
    return ctx.closeLater(new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer()));
  }

  /** A consumer reading from the earliest offset, auto-commit off; group.id only when given in config. */
  static KafkaConsumer<byte[], byte[]> consumer(Ctx ctx, String... config) {
    Properties p = ctx.props("auto.offset.reset", "earliest", "enable.auto.commit", "false");
    for (int i = 0; i < config.length; i += 2) p.put(config[i], config[i + 1]);
    return ctx.closeLater(new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer()));
  }

  static void createTopic(Ctx ctx, String topic, int partitions, Map<String, String> configs) throws Exception {
    try (Admin admin = Admin.create(ctx.props())) {
      // The broker's default.replication.factor, as a topic created without one gets.
      admin.createTopics(List.of(new NewTopic(topic, Optional.of(partitions), Optional.empty()).configs(configs))).all().get(20, TimeUnit.SECONDS);
    }
  }

  static void createTopic(Ctx ctx, String topic, int partitions) throws Exception {
    createTopic(ctx, topic, partitions, Map.of());
  }

  /** Sends every record and waits for all acknowledgements; returns their metadata in order. */
  static List<RecordMetadata> sendAll(KafkaProducer<byte[], byte[]> producer, List<ProducerRecord<byte[], byte[]>> records) throws Exception {
    List<java.util.concurrent.Future<RecordMetadata>> pending = new ArrayList<>();
    for (ProducerRecord<byte[], byte[]> r : records) pending.add(producer.send(r));
    producer.flush();
    List<RecordMetadata> acks = new ArrayList<>();
    for (var f : pending) acks.add(f.get(20, TimeUnit.SECONDS));
    return acks;
  }

  static List<ProducerRecord<byte[], byte[]>> values(String topic, int count, String prefix) {
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < count; i++) records.add(new ProducerRecord<>(topic, 0, null, bytes(prefix + i)));
    return records;
  }

  /** Polls until `count` records arrived (fails after WAIT); returns exactly what came. */
  static List<ConsumerRecord<byte[], byte[]>> read(KafkaConsumer<byte[], byte[]> consumer, int count) {
    List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (got.size() < count && System.nanoTime() < deadline) {
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) got.add(r);
    }
    check(got.size() >= count, "consumed " + got.size() + " of " + count + " records");
    return got;
  }

  /** Reads `count` records of partition 0 from `offset` with a group-less consumer. */
  static List<ConsumerRecord<byte[], byte[]>> readPartition(Ctx ctx, String topic, int count, long offset, String... config) {
    KafkaConsumer<byte[], byte[]> consumer = consumer(ctx, config);
    TopicPartition tp = new TopicPartition(topic, 0);
    consumer.assign(List.of(tp));
    consumer.seek(tp, offset);
    return read(consumer, count);
  }

  static List<String> valuesOf(List<ConsumerRecord<byte[], byte[]>> records) {
    List<String> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : records) out.add(text(r.value()));
    return out;
  }

  static List<String> expectedValues(int count, String prefix) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < count; i++) out.add(prefix + i);
    return out;
  }
}
