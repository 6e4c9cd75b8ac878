package dev.creek.compat;

import static dev.creek.compat.Check.check;
import static dev.creek.compat.Check.equal;
import static dev.creek.compat.Check.eventually;
import static dev.creek.compat.Check.failsWith;
import static dev.creek.compat.Kafka.bytes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.MemberToRemove;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.admin.UserScramCredentialDeletion;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.admin.UserScramCredentialsDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicCollection;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.ResourceNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicIdException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** kafka-clients 4.4.0 Admin scenarios. */
final class AdminScenarios {
  private AdminScenarios() {}

  private static <T> T get(org.apache.kafka.common.KafkaFuture<T> f) throws Exception {
    return f.get(20, TimeUnit.SECONDS);
  }

  /** Create with configs (the topic id comes back), describe by name and by id, list, delete. */
  static void topics(Ctx ctx) throws Exception {
    Admin admin = Kafka.admin(ctx);
    String topic = ctx.name();
    CreateTopicsResult created = admin.createTopics(List.of(new NewTopic(topic, Optional.of(2), Optional.empty()).configs(Map.of("retention.ms", "3600000"))));
    Uuid id = get(created.topicId(topic));
    check(id != null && !id.equals(Uuid.ZERO_UUID), "createTopics gave topic id " + id);
    equal(get(created.numPartitions(topic)), 2, "partitions in the createTopics result");
    TopicDescription byName = get(admin.describeTopics(List.of(topic)).allTopicNames()).get(topic);
    equal(byName.topicId(), id, "topic id from describeTopics by name");
    equal(byName.partitions().size(), 2, "partitions described");
    TopicDescription byId = get(admin.describeTopics(TopicCollection.ofTopicIds(List.of(id))).allTopicIds()).get(id);
    equal(byId.name(), topic, "name of the topic described by id");
    check(get(admin.listTopics().names()).contains(topic), topic + " not in listTopics");
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    equal(get(admin.describeConfigs(List.of(resource)).all()).get(resource).get("retention.ms").value(), "3600000", "retention.ms given at creation");
    get(admin.deleteTopics(List.of(topic)).all());
    eventually(topic + " gone from listTopics", () -> get(admin.listTopics().names()).contains(topic) ? null : true);
    failsWith(UnknownTopicIdException.class, "describe the deleted topic by id",
        () -> get(admin.describeTopics(TopicCollection.ofTopicIds(List.of(id))).allTopicIds()));
  }

  static void partitions(Ctx ctx) throws Exception {
    Admin admin = Kafka.admin(ctx);
    String topic = ctx.name();
    Kafka.createTopic(ctx, topic, 1);
    get(admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(3))).all());
    // Kafka's controller answers before every broker's metadata has the new partitions.
    eventually("3 partitions described after increaseTo(3)", () -> {
      equal(get(admin.describeTopics(List.of(topic)).allTopicNames()).get(topic).partitions().size(), 3, "partitions after increaseTo(3)");
      return true;
    });
    failsWith(InvalidPartitionsException.class, "decrease to 2 partitions", () -> get(admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(2))).all()));
    // The new partition takes records.
    var ack = Kafka.producer(ctx).send(new ProducerRecord<>(topic, 2, null, bytes("in-new"))).get(20, TimeUnit.SECONDS);
    equal(ack.partition() + "/" + ack.offset(), "2/0", "partition/offset of a record in the new partition");
  }

  /** incrementalAlterConfigs SET/APPEND/DELETE on a topic; describeConfigs shows values and sources. */
  static void configs(Ctx ctx) throws Exception {
    Admin admin = Kafka.admin(ctx);
    String topic = ctx.name();
    Kafka.createTopic(ctx, topic, 1);
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    get(admin.incrementalAlterConfigs(Map.of(resource, List.of(
        new AlterConfigOp(new ConfigEntry("retention.ms", "7200000"), AlterConfigOp.OpType.SET),
        new AlterConfigOp(new ConfigEntry("cleanup.policy", "compact"), AlterConfigOp.OpType.APPEND)))).all());
    // Kafka's controller commits the change and answers; the broker that describes it applies it
    // when it replays that record, a moment later.
    eventually("retention.ms and cleanup.policy described after SET/APPEND", () -> {
      Map<String, ConfigEntry> entries = entries(admin, resource);
      equal(entries.get("retention.ms").value(), "7200000", "retention.ms after SET");
      equal(entries.get("retention.ms").source(), ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, "retention.ms source");
      equal(entries.get("cleanup.policy").value(), "delete,compact", "cleanup.policy after APPEND compact");
      return true;
    });
    get(admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(new ConfigEntry("retention.ms", ""), AlterConfigOp.OpType.DELETE)))).all());
    eventually("retention.ms described after DELETE", () -> {
      ConfigEntry reverted = entries(admin, resource).get("retention.ms");
      equal(reverted.value() + " " + reverted.source(), "604800000 DEFAULT_CONFIG", "retention.ms after DELETE");
      return true;
    });
    ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, String.valueOf(get(admin.describeCluster().nodes()).iterator().next().id()));
    ConfigEntry brokerEntry = entries(admin, broker).get("log.retention.hours");
    check(brokerEntry != null, "broker config log.retention.hours not described");
    failsWith(org.apache.kafka.common.errors.InvalidConfigurationException.class, "SET an unknown topic config",
        () -> get(admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(new ConfigEntry("no.such.config", "1"), AlterConfigOp.OpType.SET)))).all()));
  }

  private static Map<String, ConfigEntry> entries(Admin admin, ConfigResource resource) throws Exception {
    Map<String, ConfigEntry> out = new HashMap<>();
    for (ConfigEntry e : get(admin.describeConfigs(List.of(resource)).all()).get(resource).entries()) out.put(e.name(), e);
    return out;
  }

  /** A group with an active member (Stable), then empty with offsets (Empty); listed, described, deleted. */
  static void groups(Ctx ctx) throws Exception {
    Admin admin = Kafka.admin(ctx);
    String topic = ctx.name();
    String group = ctx.name("group");
    Kafka.createTopic(ctx, topic, 2);
    Kafka.sendAll(Kafka.producer(ctx), Kafka.values(topic, 3, "g"));
    KafkaConsumer<byte[], byte[]> member = Kafka.consumer(ctx, "group.id", group, "client.id", "compat-member");
    member.subscribe(List.of(topic));
    Kafka.read(member, 3);
    // Every record is in partition 0; partition 1's position may still be unknown when they arrive
    // (on a cluster its leader is another broker), and commitSync commits only known positions.
    member.position(new TopicPartition(topic, 1), Duration.ofSeconds(30));
    member.commitSync();
    ConsumerGroupDescription stable = get(admin.describeConsumerGroups(List.of(group)).describedGroups().get(group));
    equal(stable.groupState(), GroupState.STABLE, "state with a member");
    equal(stable.members().size(), 1, "members");
    var m = stable.members().iterator().next();
    equal(m.clientId(), "compat-member", "member client id");
    Set<Integer> assigned = new HashSet<>();
    for (TopicPartition tp : m.assignment().topicPartitions()) assigned.add(tp.partition());
    equal(assigned, Set.of(0, 1), "partitions assigned to the member");
    failsWith(GroupNotEmptyException.class, "delete a group with a member", () -> get(admin.deleteConsumerGroups(List.of(group)).all()));
    TopicPartition p0 = new TopicPartition(topic, 0);
    failsWith(org.apache.kafka.common.errors.GroupSubscribedToTopicException.class, "delete committed offsets of a topic the group reads",
        () -> get(admin.deleteConsumerGroupOffsets(group, Set.of(p0)).all()));
    member.close();
    get(admin.deleteConsumerGroupOffsets(group, Set.of(p0)).all());
    Set<TopicPartition> left = get(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()).keySet();
    equal(left, Set.of(new TopicPartition(topic, 1)), "partitions with committed offsets after deleteConsumerGroupOffsets of partition 0");
    ConsumerGroupDescription empty = get(admin.describeConsumerGroups(List.of(group)).describedGroups().get(group));
    equal(empty.groupState(), GroupState.EMPTY, "state after the member left");
    Collection<GroupListing> listed = get(admin.listGroups().all());
    GroupListing listing = listed.stream().filter(g -> g.groupId().equals(group)).findFirst().orElse(null);
    check(listing != null, group + " not in listGroups");
    equal(listing.groupState().orElse(null), GroupState.EMPTY, "listed group state");
    get(admin.deleteConsumerGroups(List.of(group)).all());
    removeStaticMember(ctx, admin, topic);
    boolean stillListed = get(admin.listGroups().all()).stream().anyMatch(g -> g.groupId().equals(group));
    check(!stillListed, group + " still listed after deleteConsumerGroups");
  }

  /** removeMembersFromConsumerGroup takes a static member (group.instance.id) out of its group. */
  private static void removeStaticMember(Ctx ctx, Admin admin, String topic) throws Exception {
    String group = ctx.name("static");
    KafkaConsumer<byte[], byte[]> member = Kafka.consumer(ctx, "group.id", group, "group.instance.id", "compat-static-1");
    member.subscribe(List.of(topic));
    Kafka.read(member, 3);
    equal(get(admin.describeConsumerGroups(List.of(group)).describedGroups().get(group)).members().iterator().next().groupInstanceId().orElse(null), "compat-static-1", "the static member's instance id");
    get(admin.removeMembersFromConsumerGroup(group, new RemoveMembersFromConsumerGroupOptions(List.of(new MemberToRemove("compat-static-1")))).all());
    ConsumerGroupDescription after = get(admin.describeConsumerGroups(List.of(group)).describedGroups().get(group));
    equal(after.members().size() + " " + after.groupState(), "0 " + GroupState.EMPTY, "members and state after removeMembersFromConsumerGroup");
  }

  /** listOffsets (earliest, latest, max timestamp), alterConsumerGroupOffsets, and a consumer resuming there. */
  static void offsets(Ctx ctx) throws Exception {
    Admin admin = Kafka.admin(ctx);
    String topic = ctx.name();
    String group = ctx.name("group");
    Kafka.createTopic(ctx, topic, 1);
    long base = System.currentTimeMillis() - 10_000;
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < 8; i++) records.add(new ProducerRecord<>(topic, 0, base + (i == 5 ? 5000 : i), null, bytes("o" + i)));
    Kafka.sendAll(Kafka.producer(ctx), records);
    TopicPartition tp = new TopicPartition(topic, 0);
    equal(offset(admin, tp, OffsetSpec.earliest()), 0L, "earliest offset");
    equal(offset(admin, tp, OffsetSpec.latest()), 8L, "latest offset");
    ListOffsetsResult.ListOffsetsResultInfo max = get(admin.listOffsets(Map.of(tp, OffsetSpec.maxTimestamp())).partitionResult(tp));
    equal(max.offset() + "@" + max.timestamp(), 5 + "@" + (base + 5000), "offset@timestamp of the max timestamp");
    equal(offset(admin, tp, OffsetSpec.forTimestamp(base + 3)), 3L, "offset for a timestamp");
    get(admin.alterConsumerGroupOffsets(group, Map.of(tp, new OffsetAndMetadata(6))).all());
    Map<TopicPartition, OffsetAndMetadata> committed = get(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata());
    equal(committed.get(tp).offset(), 6L, "offset after alterConsumerGroupOffsets");
    KafkaConsumer<byte[], byte[]> consumer = Kafka.consumer(ctx, "group.id", group);
    consumer.subscribe(List.of(topic));
    equal(Kafka.valuesOf(Kafka.read(consumer, 2)), List.of("o6", "o7"), "records from the altered offset");
  }

  private static long offset(Admin admin, TopicPartition tp, OffsetSpec spec) throws Exception {
    return get(admin.listOffsets(Map.of(tp, spec)).partitionResult(tp)).offset();
  }

  static void deleteRecords(Ctx ctx) throws Exception {
    Admin admin = Kafka.admin(ctx);
    String topic = ctx.name();
    Kafka.createTopic(ctx, topic, 1);
    Kafka.sendAll(Kafka.producer(ctx), Kafka.values(topic, 10, "d"));
    TopicPartition tp = new TopicPartition(topic, 0);
    long low = get(admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(4))).lowWatermarks().get(tp)).lowWatermark();
    equal(low, 4L, "low watermark after deleteRecords before 4");
    equal(offset(admin, tp, OffsetSpec.earliest()), 4L, "earliest offset after deleteRecords");
    KafkaConsumer<byte[], byte[]> consumer = Kafka.consumer(ctx);
    consumer.assign(List.of(tp));
    consumer.seekToBeginning(List.of(tp));
    List<ConsumerRecord<byte[], byte[]>> got = Kafka.read(consumer, 6);
    equal(Kafka.valuesOf(got), List.of("d4", "d5", "d6", "d7", "d8", "d9"), "records left");
    failsWith(org.apache.kafka.common.errors.OffsetOutOfRangeException.class, "deleteRecords beyond the end",
        () -> get(admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(11))).all()));
  }

  /** An open transaction: listTransactions, describeTransactions and describeProducers show it. */
  static void transactionsAdmin(Ctx ctx) throws Exception {
    Admin admin = Kafka.admin(ctx);
    String topic = ctx.name();
    String txnId = ctx.name("txn");
    Kafka.createTopic(ctx, topic, 1);
    KafkaProducer<byte[], byte[]> producer = Kafka.producer(ctx, "transactional.id", txnId);
    producer.initTransactions();
    producer.beginTransaction();
    producer.send(new ProducerRecord<>(topic, 0, null, bytes("committed"))).get();
    producer.commitTransaction();
    producer.beginTransaction();
    producer.send(new ProducerRecord<>(topic, 0, null, bytes("open"))).get();
    TransactionListing listing = eventually(txnId + " in listTransactions", () ->
        get(admin.listTransactions().all()).stream().filter(t -> t.transactionalId().equals(txnId)).findFirst().orElse(null));
    equal(listing.state(), TransactionState.ONGOING, "listed transaction state");
    TransactionDescription described = get(admin.describeTransactions(List.of(txnId)).description(txnId));
    equal(described.state(), TransactionState.ONGOING, "described transaction state");
    equal(described.producerId(), listing.producerId(), "producer id in describe vs list");
    TopicPartition tp = new TopicPartition(topic, 0);
    equal(described.topicPartitions(), Set.of(tp), "partitions in the transaction");
    List<ProducerState> producers = get(admin.describeProducers(List.of(tp)).partitionResult(tp)).activeProducers();
    equal(producers.size(), 1, "active producers " + producers);
    equal(producers.get(0).producerId(), listing.producerId(), "describeProducers producer id");
    equal(producers.get(0).currentTransactionStartOffset().orElse(-1L), 2L, "open transaction's first offset (after the committed record and its marker)");
    producer.abortTransaction();
    TransactionDescription after = eventually("the transaction to be aborted", () -> {
      TransactionDescription d = get(admin.describeTransactions(List.of(txnId)).description(txnId));
      return d.state() == TransactionState.COMPLETE_ABORT || d.state() == TransactionState.EMPTY ? d : null;
    });
    check(after.topicPartitions().isEmpty(), "partitions after abort " + after.topicPartitions());
  }

  /** SCRAM credentials: upsert two mechanisms, describe them, delete one, describe a missing user. */
  static void scram(Ctx ctx) throws Exception {
    Admin admin = Kafka.admin(ctx);
    String user = ctx.name("user");
    // One alteration per user and request: Kafka refuses two (DuplicateResourceException).
    failsWith(org.apache.kafka.common.errors.DuplicateResourceException.class, "two alterations of one user in a request",
        () -> get(admin.alterUserScramCredentials(List.of(
            new UserScramCredentialUpsertion(user, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 8192), "secret-256"),
            new UserScramCredentialUpsertion(user, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), "secret-512"))).all()));
    get(admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 8192), "secret-256"))).all());
    get(admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), "secret-512"))).all());
    // Kafka's brokers serve describes from their metadata image, which follows the controller's
    // commit: each change is awaited.
    awaitCredentials(admin, user, Set.of("SCRAM_SHA_256/8192", "SCRAM_SHA_512/4096"));
    check(get(admin.describeUserScramCredentials().users()).contains(user), user + " not among all described users");
    get(admin.alterUserScramCredentials(List.of(new UserScramCredentialDeletion(user, ScramMechanism.SCRAM_SHA_512))).all());
    awaitCredentials(admin, user, Set.of("SCRAM_SHA_256/8192"));
    get(admin.alterUserScramCredentials(List.of(new UserScramCredentialDeletion(user, ScramMechanism.SCRAM_SHA_256))).all());
    eventually("describing " + user + " to fail once its last credential is deleted", () -> {
      Throwable err = Check.failure("describe a user without credentials", () -> get(admin.describeUserScramCredentials(List.of(user)).description(user)));
      return err instanceof ResourceNotFoundException ? err : null;
    });
    failsWith(ResourceNotFoundException.class, "delete a credential that does not exist",
        () -> get(admin.alterUserScramCredentials(List.of(new UserScramCredentialDeletion(user, ScramMechanism.SCRAM_SHA_256))).all()));
  }

  private static void awaitCredentials(Admin admin, String user, Set<String> expected) throws Exception {
    Set<String> last = new HashSet<>();
    try {
      eventually("credentials " + expected, () -> {
        last.clear();
        last.addAll(credentials(get(admin.describeUserScramCredentials(List.of(user)).description(user))));
        return last.equals(expected) ? true : null;
      });
    } catch (Check.Failed err) {
      throw new Check.Failed("credentials of " + user + ": expected " + expected + ", got " + last);
    }
  }

  private static Set<String> credentials(UserScramCredentialsDescription d) {
    Set<String> out = new HashSet<>();
    for (ScramCredentialInfo info : d.credentialInfos()) out.add(info.mechanism() + "/" + info.iterations());
    return out;
  }

  static void unknownTopic(Ctx ctx) throws Exception {
    Admin admin = Kafka.admin(ctx);
    String topic = ctx.name("missing");
    failsWith(UnknownTopicOrPartitionException.class, "describeTopics of a missing topic", () -> get(admin.describeTopics(List.of(topic)).allTopicNames()));
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    failsWith(UnknownTopicOrPartitionException.class, "describeConfigs of a missing topic", () -> get(admin.describeConfigs(List.of(resource)).all()));
    failsWith(UnknownTopicOrPartitionException.class, "deleteTopics of a missing topic", () -> get(admin.deleteTopics(List.of(topic)).all()));
  }

  static void invalidTopic(Ctx ctx) throws Exception {
    Admin admin = Kafka.admin(ctx);
    for (String bad : List.of("bad name!", "..", "x".repeat(250))) {
      failsWith(org.apache.kafka.common.errors.InvalidTopicException.class, "createTopics \"" + bad.substring(0, Math.min(bad.length(), 20)) + "\"",
          () -> get(admin.createTopics(List.of(new NewTopic(bad, Optional.of(1), Optional.empty()))).all()));
    }
  }

}
