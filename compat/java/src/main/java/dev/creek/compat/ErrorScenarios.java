package dev.creek.compat;

import static dev.creek.compat.Check.equal;
import static dev.creek.compat.Check.failsWith;
import static dev.creek.compat.Kafka.bytes;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RaftVoterEndpoint;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.UnsupportedVersionException;

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

  /**
   * A record under the producer's max.request.size but over the topic's max.message.bytes: the
   * broker refuses it with MESSAGE_TOO_LARGE and no message of its own, so the client's
   * RecordTooLargeException carries the error code's default text.
   */
  static void messageTooLarge(Ctx ctx) throws Exception {
    String topic = ctx.name();
    Kafka.createTopic(ctx, topic, 1, Map.of("max.message.bytes", "1024"));
    KafkaProducer<byte[], byte[]> producer = Kafka.producer(ctx, "compression.type", "none");
    var tooLarge = failsWith(RecordTooLargeException.class, "send 10 KB to a topic with max.message.bytes=1024",
        () -> producer.send(new ProducerRecord<>(topic, 0, null, new byte[10_000])).get(20, TimeUnit.SECONDS));
    equal(tooLarge.getMessage(), "The request included a message larger than the max message size the server will accept.", "message");
    var ack = producer.send(new ProducerRecord<>(topic, 0, null, bytes("small"))).get(20, TimeUnit.SECONDS);
    equal(ack.offset(), 0L, "offset of a small record after the refused one");
  }

  /**
   * Topics the clients may not create or write: more replicas than there are brokers, zero
   * partitions, a name colliding with an existing topic ('.' vs '_'), asked of the admin client and
   * of the producer (through auto-creation), and an internal topic written by the producer. The
   * exception class comes from the error code, the message from the broker's error message.
   */
  static void topicNotCreatable(Ctx ctx) throws Exception {
    Admin admin = Kafka.admin(ctx);
    String topic = ctx.name();
    int brokers = admin.describeCluster().nodes().get(20, TimeUnit.SECONDS).size();
    short replicas = (short) (brokers + 1);
    var tooManyReplicas = failsWith(InvalidReplicationFactorException.class, "createTopics with replication factor " + replicas,
        () -> admin.createTopics(List.of(new NewTopic(topic, Optional.of(1), Optional.of(replicas)))).all().get(20, TimeUnit.SECONDS));
    equal(tooManyReplicas.getMessage(), "Unable to replicate the partition " + replicas + " time(s): The target replication factor of " + replicas
        + " cannot be reached because only " + brokers + " broker(s) are registered or some brokers have all their log directories cordoned.", "message");
    var noPartitions = failsWith(InvalidPartitionsException.class, "createTopics with 0 partitions",
        () -> admin.createTopics(List.of(new NewTopic(topic, Optional.of(0), Optional.empty()))).all().get(20, TimeUnit.SECONDS));
    equal(noPartitions.getMessage(), "Number of partitions was set to an invalid non-positive value.", "message");
    equal(admin.listTopics().names().get(20, TimeUnit.SECONDS).contains(topic), false, "topic listed after the refused creations");

    String dotted = ctx.name("a.b");
    String underscored = ctx.name("a_b");
    Kafka.createTopic(ctx, dotted, 1);
    var collides = failsWith(InvalidTopicException.class, "createTopics " + underscored,
        () -> admin.createTopics(List.of(new NewTopic(underscored, Optional.of(1), Optional.empty()))).all().get(20, TimeUnit.SECONDS));
    equal(collides.getMessage(), "Topic '" + underscored + "' collides with existing topic: " + dotted, "message");
    // The producer asks for the colliding topic to be auto-created; the broker never creates it and
    // answers UNKNOWN_TOPIC_OR_PARTITION until the producer gives up waiting for metadata.
    KafkaProducer<byte[], byte[]> producer = Kafka.producer(ctx, "max.block.ms", "3000");
    var sendCollides = failsWith(org.apache.kafka.common.errors.TimeoutException.class, "send to " + underscored,
        () -> producer.send(new ProducerRecord<>(underscored, bytes("v"))).get(20, TimeUnit.SECONDS));
    equal(sendCollides.getMessage(), "Topic " + underscored + " not present in metadata after 3000 ms.", "message");
    equal(sendCollides.getCause() == null ? null : sendCollides.getCause().getClass(), UnknownTopicOrPartitionException.class, "cause");
    // An internal topic exists, but only the broker writes it.
    var internal = failsWith(InvalidTopicException.class, "send to __consumer_offsets",
        () -> producer.send(new ProducerRecord<>("__consumer_offsets", 0, bytes("k"), bytes("v"))).get(20, TimeUnit.SECONDS));
    equal(internal.getMessage(), "The request attempted to perform an operation on an invalid topic.", "message");
  }

  /**
   * Voter changes (KIP-853) need kraft.version 1; a broker whose quorum is static refuses them with
   * UNSUPPORTED_VERSION and says why, which the admin client surfaces as UnsupportedVersionException.
   */
  static void unsupportedVersion(Ctx ctx) throws Exception {
    Admin admin = Kafka.admin(ctx);
    var add = failsWith(UnsupportedVersionException.class, "addRaftVoter",
        () -> admin.addRaftVoter(2, Uuid.randomUuid(), Set.of(new RaftVoterEndpoint("CONTROLLER", "127.0.0.1", 9))).all().get(20, TimeUnit.SECONDS));
    equal(add.getMessage(), "Cluster doesn't support adding voter because the kraft.version feature is 0", "addRaftVoter message");
    var remove = failsWith(UnsupportedVersionException.class, "removeRaftVoter",
        () -> admin.removeRaftVoter(1, Uuid.randomUuid()).all().get(20, TimeUnit.SECONDS));
    equal(remove.getMessage(), "Cluster doesn't support removing voter because the kraft.version feature is 0", "removeRaftVoter message");
  }
}
