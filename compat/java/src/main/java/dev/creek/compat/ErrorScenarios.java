package dev.creek.compat;

import static dev.creek.compat.Check.equal;
import static dev.creek.compat.Check.failsWith;
import static dev.creek.compat.Kafka.bytes;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RaftVoterEndpoint;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import java.util.Optional;
import java.util.Set;

/** Errors the broker reports, as the Java clients surface them. */
final class ErrorScenarios {
  private ErrorScenarios() {}

  /** Admin and producer both get InvalidTopicException for a name Kafka refuses. */
  static void invalidTopic(Ctx ctx) throws Exception {
    AdminScenarios.invalidTopic(ctx);
    KafkaProducer<byte[], byte[]> producer = Kafka.producer(ctx, "max.block.ms", "10000");
    failsWith(InvalidTopicException.class, "send to \"bad name!\"",
        () -> producer.send(new ProducerRecord<>("bad name!", bytes("v"))).get(20, TimeUnit.SECONDS));
  }

  /** auto.offset.reset=none and a position past the end: poll throws OffsetOutOfRangeException. */
  static void offsetOutOfRange(Ctx ctx) throws Exception {
    String topic = ctx.name();
    Kafka.sendAll(Kafka.producer(ctx), Kafka.values(topic, 3, "r"));
    KafkaConsumer<byte[], byte[]> consumer = Kafka.consumer(ctx, "auto.offset.reset", "none");
    TopicPartition tp = new TopicPartition(topic, 0);
    consumer.assign(List.of(tp));
    consumer.seek(tp, 100);
    OffsetOutOfRangeException err = failsWith(OffsetOutOfRangeException.class, "poll at offset 100 of a 3-record partition", () -> {
      long deadline = System.nanoTime() + Kafka.WAIT.toNanos();
      while (System.nanoTime() < deadline) consumer.poll(Duration.ofMillis(200));
    });
    equal(err.offsetOutOfRangePartitions(), Map.of(tp, 100L), "partitions out of range");
  }

  /** A record bigger than the topic's max.message.bytes: the broker refuses it, RecordTooLargeException. */
  static void messageTooLarge(Ctx ctx) throws Exception {
    String topic = ctx.name();
    Kafka.createTopic(ctx, topic, 1, Map.of("max.message.bytes", "1024"));
    KafkaProducer<byte[], byte[]> producer = Kafka.producer(ctx, "compression.type", "none");
    var tooLarge = failsWith(RecordTooLargeException.class, "send 10 KB to a topic with max.message.bytes=1024",
        () -> producer.send(new ProducerRecord<>(topic, 0, null, new byte[10_000])).get(20, TimeUnit.SECONDS));
    System.err.println("PROBE too large: " + tooLarge.getMessage());
    var ack = producer.send(new ProducerRecord<>(topic, 0, null, bytes("small"))).get(20, TimeUnit.SECONDS);
    equal(ack.offset(), 0L, "offset of a small record after the refused one");
  }

  /**
   * Topics the broker may not create: more replicas than it has brokers, and zero partitions.
   * The exception class comes from the error code, the message from the broker's error message.
   */
  static void topicNotCreatable(Ctx ctx) throws Exception {
    Admin admin = Kafka.admin(ctx);
    String topic = ctx.name();
    var tooManyReplicas = failsWith(InvalidReplicationFactorException.class, "createTopics with replication factor 100",
        () -> admin.createTopics(List.of(new NewTopic(topic, Optional.of(1), Optional.of((short) 100)))).all().get(20, TimeUnit.SECONDS));
    System.err.println("PROBE replicas: " + tooManyReplicas.getMessage());
    var noPartitions = failsWith(InvalidPartitionsException.class, "createTopics with 0 partitions",
        () -> admin.createTopics(List.of(new NewTopic(topic, Optional.of(0), Optional.empty()))).all().get(20, TimeUnit.SECONDS));
    System.err.println("PROBE partitions: " + noPartitions.getMessage());
  }

  /** AddRaftVoter against a broker whose controller quorum is static (kraft.version 0). */
  static void unsupportedVersion(Ctx ctx) throws Exception {
    Admin admin = Kafka.admin(ctx);
    var err = failsWith(UnsupportedVersionException.class, "addRaftVoter",
        () -> admin.addRaftVoter(2, Uuid.randomUuid(), Set.of(new RaftVoterEndpoint("CONTROLLER", "127.0.0.1", 9))).all().get(20, TimeUnit.SECONDS));
    System.err.println("PROBE addRaftVoter: " + err.getMessage());
  }
}
