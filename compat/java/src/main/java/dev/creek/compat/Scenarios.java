package dev.creek.compat;

import java.util.LinkedHashMap;
import java.util.Map;

/** Every scenario the harness runs, by scenario id ("<family>/<feature>", as compat/clients/java.ts names them). */
final class Scenarios {
  private Scenarios() {}

  static Map<String, Scenario> all() {
    Map<String, Scenario> s = new LinkedHashMap<>();
    s.put("java/metadata", ClientScenarios::metadata);
    s.put("java/produce-consume", ClientScenarios::produceConsume);
    s.put("java/large-message", ClientScenarios::largeMessage);
    for (String codec : new String[] {"gzip", "snappy", "lz4", "zstd"}) s.put("java/compression-" + codec, ClientScenarios.compression(codec));
    s.put("java/partitioner", ClientScenarios::partitioner);
    s.put("java/consumer-group", ClientScenarios.consumerGroup("classic"));
    s.put("java/consumer-protocol", ClientScenarios.consumerGroup("consumer"));
    s.put("java/commit-resume", ClientScenarios::commitResume);
    s.put("java/seek-offset", ClientScenarios::seekOffset);
    s.put("java/seek-timestamp", ClientScenarios::seekTimestamp);
    s.put("java/admin-topics", AdminScenarios::topics);
    s.put("java/admin-partitions", AdminScenarios::partitions);
    s.put("java/admin-configs", AdminScenarios::configs);
    s.put("java/admin-groups", AdminScenarios::groups);
    s.put("java/admin-offsets", AdminScenarios::offsets);
    s.put("java/delete-records", AdminScenarios::deleteRecords);
    s.put("java/admin-transactions", AdminScenarios::transactionsAdmin);
    s.put("java/admin-scram", AdminScenarios::scram);
    s.put("java/idempotence", ClientScenarios::idempotence);
    s.put("java/transactions", ClientScenarios::transactions);
    s.put("java/tls", ClientScenarios::tls);
    s.put("java/compaction", CompactionScenario::compaction);
    s.put("java/client-quotas", QuotaScenarios::clientQuotas);
    s.put("java/error-unknown-topic", AdminScenarios::unknownTopic);
    s.put("java/error-invalid-topic", ErrorScenarios::invalidTopic);
    s.put("java/error-offset-out-of-range", ErrorScenarios::offsetOutOfRange);
    s.put("java/error-message-too-large", ErrorScenarios::messageTooLarge);
    s.put("java/error-topic-not-creatable", ErrorScenarios::topicNotCreatable);
    s.put("java/error-unsupported-version", ErrorScenarios::unsupportedVersion);
    s.put("kafka-streams/streams-eos", StreamsScenario::wordCount);
    s.put("kafka-streams/streams-eos-crash", StreamsScenario::killedAndRestarted);
    s.put("kafka-streams/streams-protocol", StreamsScenario::streamsProtocol);
    s.put("kafka-streams/streams-protocol-scale", StreamsScenario::streamsProtocolTwoInstances);
    s.put("kafka-connect/connect-standalone", ConnectScenarios::standalone);
    s.put("kafka-connect/connect-distributed", ConnectScenarios::distributed);
    s.put("kafka-tools/metadata", ToolScenarios::metadata);
    s.put("kafka-tools/admin-topics", ToolScenarios::topics);
    s.put("kafka-tools/admin-partitions", ToolScenarios::partitions);
    s.put("kafka-tools/produce-consume", ToolScenarios::produceConsume);
    s.put("kafka-tools/admin-groups", ToolScenarios::groups);
    s.put("kafka-tools/admin-offsets", ToolScenarios::resetOffsets);
    s.put("kafka-tools/admin-configs", ToolScenarios::configs);
    s.put("kafka-tools/delete-records", ToolScenarios::deleteRecords);
    s.put("kafka-tools/admin-transactions", ToolScenarios::transactions);
    s.put("kafka-tools/perf-tools", ToolScenarios::perf);
    return s;
  }
}
