package dev.creek.compat;

import static dev.creek.compat.Check.check;
import static dev.creek.compat.Check.equal;
import static dev.creek.compat.Check.eventually;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.quota.ClientQuotaFilter;
import org.apache.kafka.common.quota.ClientQuotaFilterComponent;

/** kafka-clients 4.4.0 against client quotas (KIP-13, KIP-219, KIP-546). */
final class QuotaScenarios {
  private QuotaScenarios() {}

  /**
   * Quotas set and described through the Admin client; a producer over producer_byte_rate is
   * throttled and keeps producing; a consumer whose first batch alone is over what
   * consumer_byte_rate allows in a quota window is throttled with empty answers, while a consumer
   * without a quota reads the same records.
   */
  static void clientQuotas(Ctx ctx) throws Exception {
    String topic = ctx.name();
    String producerId = ctx.name("producer");
    String consumerId = ctx.name("consumer");
    Kafka.createTopic(ctx, topic, 1);
    Admin admin = Kafka.admin(ctx);
    ClientQuotaEntity producerEntity = new ClientQuotaEntity(Map.of(ClientQuotaEntity.CLIENT_ID, producerId));
    ClientQuotaEntity consumerEntity = new ClientQuotaEntity(Map.of(ClientQuotaEntity.CLIENT_ID, consumerId));
    alter(admin, producerEntity, "producer_byte_rate", 10_000.0);
    alter(admin, consumerEntity, "consumer_byte_rate", 100.0);
    try {
      // Kafka's brokers serve describes from their metadata image, which follows the controller's commit.
      eventually("the producer quota described", () -> {
        Map<ClientQuotaEntity, Map<String, Double>> described = admin.describeClientQuotas(
            ClientQuotaFilter.containsOnly(List.of(ClientQuotaFilterComponent.ofEntity(ClientQuotaEntity.CLIENT_ID, producerId)))).entities().get(20, TimeUnit.SECONDS);
        return Map.of(producerEntity, Map.of("producer_byte_rate", 10_000.0)).equals(described) ? described : null;
      });

      // 150 kB a request: well over 10 kB/s for the 10 s a fresh quota measures over. Sent again
      // until throttled, as in a cluster the quota reaches the partition's leader through the store.
      KafkaProducer<byte[], byte[]> producer = Kafka.producer(ctx, "client.id", producerId, "batch.size", "200000", "linger.ms", "100");
      List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
      for (int i = 0; i < 50; i++) records.add(new ProducerRecord<>(topic, 0, null, new byte[3000]));
      int[] sent = {0};
      eventually("the producer to report a throttle", () -> {
        Kafka.sendAll(producer, records);
        sent[0] += records.size();
        return metric(producer.metrics(), "producer-metrics", "produce-throttle-time-max") > 0 ? true : null;
      });
      Kafka.sendAll(producer, List.of(new ProducerRecord<>(topic, 0, null, Kafka.bytes("after the throttle"))));

      KafkaConsumer<byte[], byte[]> throttled = Kafka.consumer(ctx, "client.id", consumerId);
      TopicPartition tp = new TopicPartition(topic, 0);
      throttled.assign(List.of(tp));
      throttled.seekToBeginning(List.of(tp));
      int got = 0;
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (System.nanoTime() < deadline) got += throttled.poll(Duration.ofMillis(200)).count();
      equal(got, 0, "records a consumer got whose first batch is over its quota window (100 B/s × 10 s)");
      check(metric(throttled.metrics(), "consumer-fetch-manager-metrics", "fetch-throttle-time-max") > 0, "the throttled consumer reported no fetch throttle time");
      // Its close would wait, 30 s by default, on the broker it is throttled by.
      throttled.close(Duration.ofSeconds(1));

      List<ConsumerRecord<byte[], byte[]>> free = Kafka.readPartition(ctx, topic, sent[0] + 1, 0, "client.id", ctx.name("free"));
      equal(Kafka.text(free.get(sent[0]).value()), "after the throttle", "the last record read without a quota");
    } finally {
      alter(admin, producerEntity, "producer_byte_rate", null);
      alter(admin, consumerEntity, "consumer_byte_rate", null);
    }
  }

  /** Sets a quota, or removes it with null. */
  private static void alter(Admin admin, ClientQuotaEntity entity, String key, Double value) throws Exception {
    admin.alterClientQuotas(List.of(new ClientQuotaAlteration(entity, List.of(new ClientQuotaAlteration.Op(key, value))))).all().get(20, TimeUnit.SECONDS);
  }

  /** A client metric's value (NaN before anything was recorded). */
  private static double metric(Map<MetricName, ? extends Metric> metrics, String group, String name) {
    for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
      if (e.getKey().group().equals(group) && e.getKey().name().equals(name)) return ((Number) e.getValue().metricValue()).doubleValue();
    }
    throw new Check.Failed("no metric " + group + "/" + name);
  }
}
