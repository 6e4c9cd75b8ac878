"""confluent-kafka-python (Debian python3-confluent-kafka 1.7.0 on librdkafka 2.0.2) scenarios:
Producer, Consumer and AdminClient."""
import time
import zlib

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, NewPartitions, NewTopic

from harness import (
    COMPACTED,
    COMPACTED_TOPIC_CONFIG,
    COMPACTION_ROLL_WAIT_S,
    COMPACTION_ROUNDS,
    COMPACTION_TAIL,
    COMPACTION_TIMEOUT_S,
    check,
    equal,
    eventually,
    expect_error,
    main,
    servers,
)

MIB = 1024 * 1024


def admin(ctx):
    return AdminClient({"bootstrap.servers": ctx.bootstrap})


def producer(ctx, **config):
    return Producer({"bootstrap.servers": ctx.bootstrap, **config})


def consumer(ctx, group=None, **config):
    return Consumer({
        "bootstrap.servers": ctx.bootstrap,
        "group.id": group or ctx.name("unused-group"),
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
        **config,
    })


def wait(futures):
    """Resolves an AdminClient result dict (name -> future)."""
    return {k: f.result(timeout=15) for k, f in futures.items()}


def create_topic(ctx, topic, partitions=1, config=None, a=None):
    a = a or admin(ctx)  # kept referenced until the futures resolve
    wait(a.create_topics([NewTopic(topic, num_partitions=partitions, config=config or {})]))
    # Kafka answers once its controller committed; the broker learns of the topic a moment later.
    eventually(f"metadata showing {topic}'s {partitions} partitions with leaders", lambda: True if has_leaders(a, topic, partitions) else None)


def has_leaders(a, topic, partitions):
    t = a.list_topics(topic, timeout=10).topics.get(topic)
    return t is not None and t.error is None and len(t.partitions) == partitions and all(p.leader >= 0 for p in t.partitions.values())


def produce(ctx, topic, messages, **config):
    """messages: dicts of Producer.produce keyword arguments; returns the delivered messages."""
    p = producer(ctx, **config)
    delivered, failed = [], []
    for m in messages:
        p.produce(topic, on_delivery=lambda err, msg: failed.append(err) if err else delivered.append(msg), **m)
    remaining = p.flush(15)
    check(remaining == 0, f"{remaining} messages not delivered")
    check(not failed, f"delivery failed: {failed[:1]}")
    return delivered


def values(n, prefix="m"):
    return [{"value": f"{prefix}{i}".encode()} for i in range(n)]


def read(c, count, timeout_s=15.0):
    got = []
    deadline = time.monotonic() + timeout_s
    while len(got) < count and time.monotonic() < deadline:
        msg = c.poll(0.2)
        if msg is None:
            continue
        if msg.error():
            raise KafkaException(msg.error())
        got.append(msg)
    check(len(got) >= count, f"consumed {len(got)} of {count} messages")
    return got


def read_partition(ctx, topic, count, offset=-2, **config):
    """offset -2 is OFFSET_BEGINNING."""
    c = consumer(ctx, **config)
    try:
        c.assign([TopicPartition(topic, 0, offset)])
        return read(c, count)
    finally:
        c.close()


def metadata(ctx):
    topic = ctx.name()
    create_topic(ctx, topic, partitions=3)
    md = admin(ctx).list_topics(timeout=10)
    check(md.brokers, "no broker in metadata")
    check(topic in md.topics, f"{topic} not in metadata")
    t = md.topics[topic]
    check(t.error is None, f"topic error {t.error}")
    equal(sorted(t.partitions), [0, 1, 2], "partitions")
    for p in t.partitions.values():
        check(p.leader in md.brokers, f"partition {p.id} leader {p.leader} is not a listed broker")


def produce_consume(ctx):
    topic = ctx.name()
    sent = [
        (b"k1", b"v1", [("h1", b"a"), ("h2", b"b")]),
        (None, b"no-key", None),
        (b"k1", None, [("tombstone", b"yes")]),
        (b"k2", b"v2", None),
    ]
    produce(ctx, topic, [{"key": k, "value": v, "headers": h, "partition": 0} for k, v, h in sent])
    got = read_partition(ctx, topic, len(sent))
    equal([(m.offset(), m.key(), m.value(), m.headers()) for m in got], [(i, *s) for i, s in enumerate(sent)], "consumed (offset, key, value, headers)")


def large_message(ctx):
    topic = ctx.name()
    create_topic(ctx, topic, config={"max.message.bytes": str(2 * MIB)})
    big = b"x" * MIB
    produce(ctx, topic, [{"value": big}], **{"message.max.bytes": 3 * MIB})
    [m] = read_partition(ctx, topic, 1)
    check(m.value() == big, f"value of {len(m.value() or b'')} bytes differs from the 1 MiB sent")


def compression(codec):
    def scenario(ctx):
        topic = ctx.name()
        sent = values(200, f"{codec}-record-")
        produce(ctx, topic, sent, **{"compression.type": codec, "linger.ms": 20})
        equal([m.value() for m in read_partition(ctx, topic, len(sent))], [m["value"] for m in sent], "values consumed")
    return scenario


def partitioner(ctx):
    topic = ctx.name()
    create_topic(ctx, topic, partitions=4)
    keys = [f"key-{i}".encode() for i in range(24)]
    for _ in range(2):  # two producer instances: the mapping must not depend on the run
        delivered = produce(ctx, topic, [{"key": k, "value": b"v"} for k in keys])
        # librdkafka's default partitioner, consistent_random, is CRC32(key) modulo the partition count.
        equal({m.key(): m.partition() for m in delivered}, {k: zlib.crc32(k) % 4 for k in keys}, "partition per key")


def consumer_group(ctx):
    topic, group = ctx.name(), ctx.name("group")
    create_topic(ctx, topic, partitions=4)

    def member():
        c = consumer(ctx, group, **{"heartbeat.interval.ms": 500})
        c.subscribe([topic])
        return c

    def poll_all(members, into=None):
        for m in members:
            msg = m.poll(0.05)
            if msg is not None and not msg.error() and into is not None:
                into.setdefault(id(m), []).append(msg)

    def parts(c):
        return {tp.partition for tp in c.assignment()}

    a = member()
    try:
        eventually("first member assigned 4 partitions", lambda: poll_all([a]) or (True if len(parts(a)) == 4 else None), interval_s=0)
        b = member()
        try:
            def split():
                poll_all([a, b])
                pa, pb = parts(a), parts(b)
                return (pa, pb) if pa and pb and len(pa) + len(pb) == 4 else None
            pa, pb = eventually("rebalance splitting the partitions between two members", split, interval_s=0)
            equal(pa | pb, {0, 1, 2, 3}, "partitions across the members")
            produce(ctx, topic, [{"key": f"k{i}".encode(), "value": f"m{i}".encode()} for i in range(40)])
            seen = {}
            eventually("all 40 messages consumed by the group", lambda: poll_all([a, b], seen) or (True if sum(map(len, seen.values())) >= 40 else None), interval_s=0)
            for m, owned in ((a, pa), (b, pb)):
                for msg in seen.get(id(m), []):
                    check(msg.partition() in owned, f"a member consumed from partition {msg.partition()} it was not assigned")
            equal(len({(m.partition(), m.offset()) for ms in seen.values() for m in ms}), 40, "distinct messages consumed")
        finally:
            b.close()
        eventually("remaining member taking over all 4 partitions", lambda: poll_all([a]) or (True if len(parts(a)) == 4 else None), interval_s=0)
    finally:
        a.close()


def commit_resume(ctx):
    topic, group = ctx.name(), ctx.name("group")
    produce(ctx, topic, values(10))
    c = consumer(ctx, group)
    c.subscribe([topic])
    read(c, 10)
    c.commit(asynchronous=False)
    [committed] = c.committed([TopicPartition(topic, 0)], timeout=10)
    equal(committed.offset, 10, "committed offset")
    c.close()
    produce(ctx, topic, values(5, "n"))
    c = consumer(ctx, group)
    c.subscribe([topic])
    got = read(c, 5)
    c.close()
    equal([(m.offset(), m.value()) for m in got], [(10 + i, f"n{i}".encode()) for i in range(5)], "second run resumes after the commit")


def seek_offset(ctx):
    topic = ctx.name()
    produce(ctx, topic, [dict(m, partition=0) for m in values(10)])
    got = read_partition(ctx, topic, 3, offset=7)
    equal([(m.offset(), m.value()) for m in got], [(7, b"m7"), (8, b"m8"), (9, b"m9")], "consumed from offset 7")
    c = consumer(ctx)
    try:
        c.assign([TopicPartition(topic, 0, 0)])
        read(c, 1)
        c.seek(TopicPartition(topic, 0, 4))
        equal(read(c, 1)[0].offset(), 4, "offset after Consumer.seek")
    finally:
        c.close()


def seek_timestamp(ctx):
    topic = ctx.name()
    base = int(time.time() * 1000) - 60_000
    produce(ctx, topic, [{"value": f"t{i}".encode(), "partition": 0, "timestamp": base + i * 1000} for i in range(6)])
    c = consumer(ctx)
    try:
        [found] = c.offsets_for_times([TopicPartition(topic, 0, base + 2500)], timeout=10)
        equal(found.offset, 3, "offset for timestamp")
        [after] = c.offsets_for_times([TopicPartition(topic, 0, base + 99_000)], timeout=10)
        equal(after.offset, -1, "offset for a timestamp after the last record")
        c.assign([found])
        got = read(c, 3)
        equal([(m.value(), m.timestamp()[1]) for m in got], [(f"t{i}".encode(), base + i * 1000) for i in (3, 4, 5)], "consumed (value, timestamp)")
    finally:
        c.close()


def admin_topics(ctx):
    topic = ctx.name()
    a = admin(ctx)
    wait(a.create_topics([NewTopic(topic, num_partitions=3, config={"cleanup.policy": "compact"})]))
    # Kafka answers CreateTopics once its controller committed; brokers learn of it a moment later.
    eventually("created topic listed", lambda: True if topic in a.list_topics(timeout=10).topics else None)
    err = expect_error("creating it again", lambda: wait(a.create_topics([NewTopic(topic, num_partitions=3)])))
    equal(err.args[0].code(), KafkaError.TOPIC_ALREADY_EXISTS, "error creating it again")
    wait(a.delete_topics([topic]))
    eventually("deleted topic disappearing from the list", lambda: True if topic not in a.list_topics(timeout=10).topics else None)


def admin_partitions(ctx):
    topic = ctx.name()
    a = admin(ctx)
    create_topic(ctx, topic, 2, a=a)
    wait(a.create_partitions([NewPartitions(topic, 5)]))
    eventually(
        "metadata showing partitions 0-4 after growing",
        lambda: True if sorted(a.list_topics(topic, timeout=10).topics[topic].partitions) == [0, 1, 2, 3, 4] else None,
    )
    err = expect_error("shrinking", lambda: wait(a.create_partitions([NewPartitions(topic, 3)])))
    equal(err.args[0].code(), KafkaError.INVALID_PARTITIONS, "error shrinking")
    # Kafka's metadata lists a new partition a moment before the broker hosts it: produce until it does.
    [m] = eventually("producing to new partition 4", lambda: produce(ctx, topic, [{"value": b"to-4", "partition": 4}]))
    equal(m.partition(), 4, "produced to a new partition")


def admin_configs(ctx):
    topic = ctx.name()
    a = admin(ctx)
    create_topic(ctx, topic, a=a)

    def described():
        [entries] = wait(a.describe_configs([ConfigResource("topic", topic)])).values()
        return entries

    retention = described()["retention.ms"]
    equal((retention.value, retention.is_default), ("604800000", True), "default retention.ms (value, is_default)")
    wait(a.alter_configs([ConfigResource("topic", topic, set_config={"retention.ms": "3600000"})]))
    # Kafka's controller applies the change; the broker describing it learns of it a moment later.
    def altered():
        retention = described()["retention.ms"]
        equal((retention.value, retention.is_default), ("3600000", False), "retention.ms after alter (value, is_default)")
        return True

    eventually("retention.ms altered", altered)
    err = expect_error("an invalid value", lambda: wait(a.alter_configs([ConfigResource("topic", topic, set_config={"retention.ms": "soon"})])))
    equal(err.args[0].code(), KafkaError.INVALID_CONFIG, "error for an invalid value")
    broker = next(iter(a.list_topics(timeout=10).brokers))
    [entries] = wait(a.describe_configs([ConfigResource("broker", str(broker))])).values()
    check("num.partitions" in entries, "broker configs lack num.partitions")


def admin_groups(ctx):
    topic, group = ctx.name(), ctx.name("group")
    produce(ctx, topic, values(3))
    c = consumer(ctx, group)
    c.subscribe([topic])
    try:
        read(c, 3)
        c.commit(asynchronous=False)
        [g] = admin(ctx).list_groups(group, timeout=10)
        equal((g.id, g.state, g.protocol_type, len(g.members)), (group, "Stable", "consumer", 1), "(id, state, protocol type, members)")
        check(group in [x.id for x in admin(ctx).list_groups(timeout=10)], "group missing from the full list")
    finally:
        c.close()
    eventually("group becoming Empty after its member left", lambda: True if admin(ctx).list_groups(group, timeout=10)[0].state == "Empty" else None)


def admin_offsets(ctx):
    topic, group = ctx.name(), ctx.name("group")
    produce(ctx, topic, values(8))
    c = consumer(ctx, group)
    try:
        equal(c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10), (0, 8), "(low, high) watermarks")
        c.commit(offsets=[TopicPartition(topic, 0, 5)], asynchronous=False)
    finally:
        c.close()
    other = consumer(ctx, group)
    try:
        [committed] = other.committed([TopicPartition(topic, 0)], timeout=10)
        equal(committed.offset, 5, "committed offset seen by another consumer")
        other.subscribe([topic])
        equal(read(other, 1)[0].offset(), 5, "resumed offset")
    finally:
        other.close()


def idempotence(ctx):
    topic = ctx.name()
    sent = values(100)
    delivered = produce(ctx, topic, sent, **{"enable.idempotence": True, "linger.ms": 5})
    equal(sorted(m.offset() for m in delivered), list(range(100)), "delivered offsets")
    equal([m.value() for m in read_partition(ctx, topic, 100)], [m["value"] for m in sent], "values consumed")


def transactions(ctx):
    source, sink, group = ctx.name("in"), ctx.name("out"), ctx.name("group")
    produce(ctx, source, values(4, "in"))
    p = producer(ctx, **{"transactional.id": ctx.name("txn")})
    p.init_transactions(15)
    p.begin_transaction()
    for v in (b"a", b"b", b"c"):
        p.produce(sink, value=v, partition=0)
    p.commit_transaction(15)
    p.begin_transaction()
    for v in (b"x", b"y"):
        p.produce(sink, value=v, partition=0)
    p.flush(15)  # delivered to the broker first: abort would otherwise just purge them locally
    p.abort_transaction(15)
    # consume-transform-produce: the input offsets commit with the output, atomically.
    c = consumer(ctx, group)
    c.subscribe([source])
    inputs = read(c, 4)
    p.begin_transaction()
    p.produce(sink, value=b"d", partition=0)
    p.send_offsets_to_transaction([TopicPartition(source, 0, inputs[-1].offset() + 1)], c.consumer_group_metadata(), 15)
    p.commit_transaction(15)
    c.close()
    committed = [m.value() for m in read_partition(ctx, sink, 4, **{"isolation.level": "read_committed"})]
    equal(committed, [b"a", b"b", b"c", b"d"], "values read with read_committed")
    uncommitted = [m.value() for m in read_partition(ctx, sink, 6, **{"isolation.level": "read_uncommitted"})]
    equal(uncommitted, [b"a", b"b", b"c", b"x", b"y", b"d"], "values read with read_uncommitted")
    [offset] = consumer(ctx, group).committed([TopicPartition(source, 0)], timeout=10)
    equal(offset.offset, 4, "input offset committed by the transaction")


def error_unknown_topic(ctx):
    c = consumer(ctx, ctx.name("group"), **{"allow.auto.create.topics": False})
    try:
        c.subscribe([ctx.name("missing")])
        def error():
            msg = c.poll(0.2)
            return msg.error() if msg is not None and msg.error() else None
        err = eventually("an error for the unknown topic", error, timeout_s=15)
        equal(err.code(), KafkaError.UNKNOWN_TOPIC_OR_PART, f"error ({err})")
    finally:
        c.close()


def error_invalid_topic(ctx):
    a = admin(ctx)
    for bad in ("compat confluent bad name!", "x" * 250, "."):
        err = expect_error(f"creating {bad[:20]!r}", lambda: wait(a.create_topics([NewTopic(bad, num_partitions=1)])))
        equal(err.args[0].code(), KafkaError.TOPIC_EXCEPTION, f"error creating {bad[:20]!r}")


def error_offset_out_of_range(ctx):
    topic = ctx.name()
    produce(ctx, topic, [dict(m, partition=0) for m in values(5)])
    c = consumer(ctx, **{"auto.offset.reset": "error"})
    try:
        c.assign([TopicPartition(topic, 0, 1000)])
        def error():
            msg = c.poll(0.2)
            return msg.error() if msg is not None and msg.error() else None
        err = eventually("an error for offset 1000", error, timeout_s=15)
        check(err.code() == KafkaError._AUTO_OFFSET_RESET and "Offset out of range" in err.str(), f"expected an offset-out-of-range reset error, got {err}")
    finally:
        c.close()


def error_message_too_large(ctx):
    topic = ctx.name()
    produce(ctx, topic, values(1))
    p = producer(ctx, **{"message.max.bytes": 4 * MIB, "retries": 0})
    errors = []
    p.produce(topic, value=b"x" * (2 * MIB), on_delivery=lambda err, msg: errors.append(err))
    p.flush(15)
    check(errors and errors[0] is not None, "a 2 MiB message was accepted")
    equal(errors[0].code(), KafkaError.MSG_SIZE_TOO_LARGE, f"delivery error ({errors[0]})")


def compaction(ctx):
    topic = ctx.name()
    create_topic(ctx, topic, config=COMPACTED_TOPIC_CONFIG)
    for round_ in COMPACTION_ROUNDS:
        produce(ctx, topic, [{"key": key, "value": value, "partition": 0} for key, value in round_])
    time.sleep(COMPACTION_ROLL_WAIT_S)
    produce(ctx, topic, [{"key": COMPACTION_TAIL[0], "value": COMPACTION_TAIL[1], "partition": 0}])

    def compacted():
        # The first records from the beginning: until the log is compacted, older ones come first.
        got = read_partition(ctx, topic, len(COMPACTED))[: len(COMPACTED)]
        equal([(m.offset(), m.key(), m.value()) for m in got], COMPACTED, "consumed from the beginning (offset, key, value)")
        return True

    eventually("the log compacted to the latest record per key", compacted, timeout_s=COMPACTION_TIMEOUT_S, interval_s=0.3)

def tls(ctx):
    over, ca_file = ctx.over_tls()
    ssl = {"security.protocol": "SSL", "ssl.ca.location": ca_file}
    md = AdminClient({"bootstrap.servers": over.bootstrap, **ssl}).list_topics(timeout=10)
    equal(sorted(f"{b.host}:{b.port}" for b in md.brokers.values()), servers(over.bootstrap), "brokers advertised to a client of the SSL listener")
    topic = ctx.name()
    produce(over, topic, [{"key": b"k", "value": b"over-tls", "partition": 0}], **ssl)
    got = read_partition(over, topic, 1, **ssl)
    equal([(m.key(), m.value()) for m in got], [(b"k", b"over-tls")], "consumed over TLS")


main({
    "metadata": metadata,
    "produce-consume": produce_consume,
    "large-message": large_message,
    "compression-gzip": compression("gzip"),
    "compression-snappy": compression("snappy"),
    "compression-lz4": compression("lz4"),
    "compression-zstd": compression("zstd"),
    "partitioner": partitioner,
    "consumer-group": consumer_group,
    "commit-resume": commit_resume,
    "seek-offset": seek_offset,
    "seek-timestamp": seek_timestamp,
    "admin-topics": admin_topics,
    "admin-partitions": admin_partitions,
    "admin-configs": admin_configs,
    "admin-groups": admin_groups,
    "admin-offsets": admin_offsets,
    "idempotence": idempotence,
    "transactions": transactions,
    "tls": tls,
    "compaction": compaction,
    "error-unknown-topic": error_unknown_topic,
    "error-invalid-topic": error_invalid_topic,
    "error-offset-out-of-range": error_offset_out_of_range,
    "error-message-too-large": error_message_too_large,
})
