package dev.creek.compat;

import static dev.creek.compat.Check.eventually;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Log compaction as every client checks it (the data of compat/lib/fixtures.ts): two batches of
 * keyed records with overwrites and a tombstone, then, after segment.ms, one record in a new
 * segment; read from the beginning, the log holds the latest record per key at its original offset.
 */
final class CompactionScenario {
  private CompactionScenario() {}

  private static final String[][][] ROUNDS = {
    {{"a", "a1"}, {"b", "b1"}, {"c", "c1"}, {"d", "d1"}},
    {{"a", "a2"}, {"b", null}, {"c", "c2"}},
  };
  private static final List<String> COMPACTED = List.of("3 d d1", "4 a a2", "5 b null", "6 c c2", "7 e e1");

  static void compaction(Ctx ctx) throws Exception {
    String topic = ctx.name();
    Kafka.createTopic(ctx, topic, 1, Map.of("cleanup.policy", "compact", "min.cleanable.dirty.ratio", "0.01", "segment.ms", "100"));
    KafkaProducer<byte[], byte[]> producer = Kafka.producer(ctx, "linger.ms", "50");
    for (String[][] round : ROUNDS) {
      List<ProducerRecord<byte[], byte[]>> batch = new ArrayList<>();
      for (String[] kv : round) batch.add(new ProducerRecord<>(topic, 0, Kafka.bytes(kv[0]), Kafka.bytes(kv[1])));
      Kafka.sendAll(producer, batch);
    }
    Thread.sleep(300);
    Kafka.sendAll(producer, List.of(new ProducerRecord<>(topic, 0, Kafka.bytes("e"), Kafka.bytes("e1"))));
    List<String> last = new ArrayList<>();
    try {
      // Kafka's cleaner looks for work every log.cleaner.backoff.ms (15 s by default).
      eventually("compaction", Duration.ofSeconds(55), () -> {
        last.clear();
        last.addAll(readAll(ctx, topic));
        return last.equals(COMPACTED) ? true : null;
      });
    } catch (Check.Failed err) {
      throw new Check.Failed("compacted log (offset key value): expected " + COMPACTED + ", got " + last);
    }
  }

  private static List<String> readAll(Ctx ctx, String topic) {
    List<String> out = new ArrayList<>();
    TopicPartition tp = new TopicPartition(topic, 0);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(ctx.props("enable.auto.commit", "false"),
        new org.apache.kafka.common.serialization.ByteArrayDeserializer(), new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (System.nanoTime() < deadline && consumer.position(tp) < 8) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) out.add(r.offset() + " " + Kafka.text(r.key()) + " " + Kafka.text(r.value()));
      }
    }
    return out;
  }
}
