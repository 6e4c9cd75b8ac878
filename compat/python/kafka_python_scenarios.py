"""kafka-python (Debian python3-kafka 2.0.2) scenarios: pure-Python producer, consumer and admin."""
import threading
import time

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType, NewPartitions, NewTopic
from kafka import errors

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
TIMEOUTS = dict(request_timeout_ms=15000)


def admin(ctx):
    return KafkaAdminClient(bootstrap_servers=ctx.bootstrap, client_id="compat-kafka-python", **TIMEOUTS)


def producer(ctx, **config):
    # acks=all, as Kafka's own producer defaults to (kafka-python defaults to 1): scenarios read back
    # what they wrote at once, and with replicas a record is readable only once they have it.
    config.setdefault("acks", "all")
    return KafkaProducer(bootstrap_servers=ctx.bootstrap, **TIMEOUTS, **config)


def consumer(ctx, **config):
    config.setdefault("group_id", None)
    config.setdefault("auto_offset_reset", "earliest")
    return KafkaConsumer(bootstrap_servers=ctx.bootstrap, **TIMEOUTS, **config)


def new_topic(a, topic, partitions, configs=None):
    """A NewTopic replicated as widely as the cluster allows, up to 3: this client cannot leave the
    replication factor to the broker's default (it refuses -1), so its users pick one."""
    replication = min(3, len(a.describe_cluster()["brokers"]))
    return NewTopic(topic, partitions, replication, topic_configs=configs or {})


def create_topic(ctx, topic, partitions=1, configs=None, a=None):
    own = a is None
    a = a or admin(ctx)
    try:
        a.create_topics([new_topic(a, topic, partitions, configs)])
        # Kafka answers once its controller committed; the broker learns of the topic a moment later.
        eventually(f"metadata showing {topic}'s {partitions} partitions with leaders", lambda: True if has_leaders(a, topic, partitions) else None)
    finally:
        if own:
            a.close()


def has_leaders(a, topic, partitions):
    [t] = a.describe_topics([topic])
    return t["error_code"] == 0 and len(t["partitions"]) == partitions and all(p["leader"] >= 0 for p in t["partitions"])


def read(c, count, timeout_s=15.0):
    """Polls an assigned/subscribed consumer until count records arrived."""
    got = []
    deadline = time.monotonic() + timeout_s
    while len(got) < count and time.monotonic() < deadline:
        for records in c.poll(timeout_ms=200).values():
            got.extend(records)
    check(len(got) >= count, f"consumed {len(got)} of {count} records")
    return got


def read_partition(ctx, topic, count, partition=0, offset=None, **config):
    c = consumer(ctx, **config)
    try:
        tp = TopicPartition(topic, partition)
        c.assign([tp])
        if offset is None:
            c.seek_to_beginning(tp)
        else:
            c.seek(tp, offset)
        return read(c, count)
    finally:
        c.close()


def produce(ctx, topic, values, partition=None, **config):
    p = producer(ctx, **config)
    try:
        futures = [p.send(topic, value=v, partition=partition) for v in values]
        p.flush()
        return [f.get(timeout=10) for f in futures]
    finally:
        p.close()


def numbered(n, prefix="m"):
    return [f"{prefix}{i}".encode() for i in range(n)]


def metadata(ctx):
    topic = ctx.name()
    create_topic(ctx, topic, partitions=3)
    c = consumer(ctx)
    try:
        check(topic in c.topics(), f"{topic} not in the topic list")
        equal(c.partitions_for_topic(topic), {0, 1, 2}, "partitions")
    finally:
        c.close()
    a = admin(ctx)
    try:
        cluster = a.describe_cluster()
        check(len(cluster["brokers"]) >= 1, "no broker in metadata")
        [described] = a.describe_topics([topic])
        equal(described["error_code"], 0, "topic error code")
        ids = {b["node_id"] for b in cluster["brokers"]}
        for p in described["partitions"]:
            check(p["leader"] in ids, f"partition {p['partition']} leader {p['leader']} is not a listed broker")
    finally:
        a.close()


def produce_consume(ctx):
    topic = ctx.name()
    p = producer(ctx)
    sent = [
        (b"k1", b"v1", [("h1", b"a"), ("h2", b"b")]),
        (None, b"no-key", []),
        (b"k1", None, [("tombstone", b"yes")]),
        (b"k2", b"v2", []),
    ]
    for key, value, headers in sent:
        p.send(topic, key=key, value=value, headers=headers, partition=0)
    p.flush()
    p.close()
    got = read_partition(ctx, topic, len(sent))
    equal([(r.offset, r.key, r.value, list(r.headers)) for r in got], [(i, *s) for i, s in enumerate(sent)], "consumed (offset, key, value, headers)")


def large_message(ctx):
    topic = ctx.name()
    create_topic(ctx, topic, configs={"max.message.bytes": str(2 * MIB)})
    big = b"x" * MIB
    produce(ctx, topic, [big], max_request_size=3 * MIB)
    [record] = read_partition(ctx, topic, 1, max_partition_fetch_bytes=3 * MIB)
    check(record.value == big, f"value of {len(record.value or b'')} bytes differs from the 1 MiB sent")


def compression(codec):
    def scenario(ctx):
        topic = ctx.name()
        sent = numbered(200, f"{codec}-record-")
        produce(ctx, topic, sent, compression_type=codec, linger_ms=20)
        equal([r.value for r in read_partition(ctx, topic, len(sent))], sent, "values consumed")
    return scenario


def partitioner(ctx):
    topic = ctx.name()
    create_topic(ctx, topic, partitions=4)
    keys = [f"key-{i}".encode() for i in range(24)]
    placements = []
    for _ in range(2):  # two producer instances: the key -> partition mapping must not depend on the run
        p = producer(ctx)
        futures = [(k, p.send(topic, key=k, value=b"v")) for k in keys]
        p.flush()
        placements.append({k: f.get(timeout=10).partition for k, f in futures})
        p.close()
    equal(placements[1], placements[0], "partition per key across producers")
    check(len(set(placements[0].values())) > 1, "every key went to one partition")


class GroupMember(threading.Thread):
    """A group member polling in its own thread, as each application instance would: a join
    blocks until every member rejoins, so members cannot share one polling thread."""

    def __init__(self, ctx, topic, group):
        super().__init__(daemon=True)
        self.consumer = consumer(ctx, group_id=group, heartbeat_interval_ms=500, enable_auto_commit=False)
        self.consumer.subscribe([topic])
        self.records = []
        self.partitions = set()
        self.stopping = threading.Event()
        self.start()

    def run(self):
        while not self.stopping.is_set():
            for rs in self.consumer.poll(timeout_ms=100).values():
                self.records.extend(rs)
            self.partitions = {tp.partition for tp in self.consumer.assignment()}
        self.consumer.close()

    def stop(self):
        self.stopping.set()
        self.join(timeout=15)


def consumer_group(ctx):
    topic, group = ctx.name(), ctx.name("group")
    create_topic(ctx, topic, partitions=4)
    a = GroupMember(ctx, topic, group)
    try:
        eventually("first member assigned 4 partitions", lambda: True if len(a.partitions) == 4 else None)
        b = GroupMember(ctx, topic, group)
        try:
            def split():
                pa, pb = a.partitions, b.partitions
                return (pa, pb) if pa and pb and len(pa) + len(pb) == 4 else None
            pa, pb = eventually("rebalance splitting the partitions between two members", split)
            equal(pa | pb, {0, 1, 2, 3}, "partitions across the members")
            p = producer(ctx)
            for i in range(40):
                p.send(topic, key=f"k{i}".encode(), value=f"m{i}".encode())
            p.flush()
            p.close()
            eventually("all 40 messages consumed by the group", lambda: True if len(a.records) + len(b.records) >= 40 else None)
            for m, owned in ((a, pa), (b, pb)):
                for r in m.records:
                    check(r.partition in owned, f"a member consumed from partition {r.partition} it was not assigned")
            equal(len({(r.partition, r.offset) for r in a.records + b.records}), 40, "distinct messages consumed")
        finally:
            b.stop()
        eventually("remaining member taking over all 4 partitions", lambda: True if len(a.partitions) == 4 else None)
    finally:
        a.stop()


def commit_resume(ctx):
    topic, group = ctx.name(), ctx.name("group")
    produce(ctx, topic, numbered(10))
    c = consumer(ctx, group_id=group, enable_auto_commit=False)
    c.subscribe([topic])
    equal(len(read(c, 10)), 10, "first run")
    c.commit()
    tp = TopicPartition(topic, 0)
    equal(c.committed(tp), 10, "committed offset")
    c.close()
    produce(ctx, topic, numbered(5, "n"))
    c = consumer(ctx, group_id=group, enable_auto_commit=False)
    c.subscribe([topic])
    got = read(c, 5)
    c.close()
    equal([(r.offset, r.value) for r in got], [(10 + i, f"n{i}".encode()) for i in range(5)], "second run resumes after the commit")


def seek_offset(ctx):
    topic = ctx.name()
    produce(ctx, topic, numbered(10), partition=0)
    got = read_partition(ctx, topic, 3, offset=7)
    equal([(r.offset, r.value) for r in got], [(7, b"m7"), (8, b"m8"), (9, b"m9")], "consumed from offset 7")


def seek_timestamp(ctx):
    topic = ctx.name()
    base = int(time.time() * 1000) - 60_000
    p = producer(ctx)
    for i in range(6):
        p.send(topic, value=f"t{i}".encode(), partition=0, timestamp_ms=base + i * 1000)
    p.flush()
    p.close()
    c = consumer(ctx)
    try:
        tp = TopicPartition(topic, 0)
        found = c.offsets_for_times({tp: base + 2500})[tp]
        equal((found.offset, found.timestamp), (3, base + 3000), "offset for timestamp")
        equal(c.offsets_for_times({tp: base + 99_000})[tp], None, "offset for a timestamp after the last record")
        c.assign([tp])
        c.seek(tp, found.offset)
        equal([r.value for r in read(c, 3)], [b"t3", b"t4", b"t5"], "consumed from the timestamp")
    finally:
        c.close()


def admin_topics(ctx):
    topic = ctx.name()
    a = admin(ctx)
    try:
        a.create_topics([new_topic(a, topic, 3, {"cleanup.policy": "compact"})])
        # Kafka answers CreateTopics once its controller committed; brokers learn of it a moment later.
        eventually("created topic listed", lambda: True if topic in a.list_topics() else None)
        err = expect_error("creating it again", lambda: a.create_topics([new_topic(a, topic, 3)]))
        check(isinstance(err, errors.TopicAlreadyExistsError), f"expected TopicAlreadyExistsError, got {err!r}")
        [described] = a.describe_topics([topic])
        equal(len(described["partitions"]), 3, "partitions")
        a.delete_topics([topic])
        eventually("deleted topic disappearing from the list", lambda: True if topic not in a.list_topics() else None)
    finally:
        a.close()


def admin_partitions(ctx):
    topic = ctx.name()
    a = admin(ctx)
    try:
        create_topic(ctx, topic, 2, a=a)
        a.create_partitions({topic: NewPartitions(5)})
        eventually(
            "metadata showing partitions 0-4 after growing",
            lambda: True if sorted(p["partition"] for p in a.describe_topics([topic])[0]["partitions"]) == [0, 1, 2, 3, 4] else None,
        )
        err = expect_error("shrinking", lambda: a.create_partitions({topic: NewPartitions(3)}))
        check(isinstance(err, errors.InvalidPartitionsError), f"expected InvalidPartitionsError, got {err!r}")
    finally:
        a.close()
    # Kafka's metadata lists a new partition a moment before the broker hosts it: produce until it does.
    [meta] = eventually("producing to new partition 4", lambda: produce(ctx, topic, [b"to-4"], partition=4))
    equal(meta.partition, 4, "produced to a new partition")


def admin_configs(ctx):
    topic = ctx.name()
    a = admin(ctx)
    try:
        create_topic(ctx, topic, a=a)

        def topic_configs():
            [response] = a.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
            [(code, _msg, _type, _name, entries)] = response.resources
            equal(code, 0, "describe error code")
            return {e[0]: e for e in entries}

        retention = topic_configs()["retention.ms"]
        equal(retention[1], "604800000", "default retention.ms")
        [altered] = a.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic, configs={"retention.ms": "3600000"})]).resources
        equal(altered[0], 0, "alter error code")
        # Kafka's controller applies the change; the broker describing it learns of it a moment later.
        eventually("retention.ms altered", lambda: True if topic_configs()["retention.ms"][1] == "3600000" else None)
        broker_id = str(a.describe_cluster()["brokers"][0]["node_id"])
        [response] = a.describe_configs([ConfigResource(ConfigResourceType.BROKER, broker_id)])
        names = {e[0] for e in response.resources[0][4]}
        check("num.partitions" in names, "broker configs lack num.partitions")
    finally:
        a.close()


def admin_groups(ctx):
    topic, group = ctx.name(), ctx.name("group")
    produce(ctx, topic, numbered(3))
    c = consumer(ctx, group_id=group)
    c.subscribe([topic])
    read(c, 3)
    c.commit()
    a = admin(ctx)
    try:
        check((group, "consumer") in a.list_consumer_groups(), "group not listed as a consumer group")
        [described] = a.describe_consumer_groups([group])
        equal((described.state, len(described.members)), ("Stable", 1), "(state, members) while consuming")
        c.close()
        eventually("group becoming Empty after its member left", lambda: True if a.describe_consumer_groups([group])[0].state == "Empty" else None)
        equal(a.delete_consumer_groups([group]), [(group, errors.NoError)], "delete result")
        check(group not in [g for g, _ in a.list_consumer_groups()], "deleted group still listed")
    finally:
        a.close()


def admin_offsets(ctx):
    topic, group = ctx.name(), ctx.name("group")
    produce(ctx, topic, numbered(8))
    tp = TopicPartition(topic, 0)
    c = consumer(ctx, group_id=group, enable_auto_commit=False)
    try:
        equal((c.beginning_offsets([tp])[tp], c.end_offsets([tp])[tp]), (0, 8), "(earliest, latest) offsets")
        c.assign([tp])
        read(c, 5)
        from kafka.structs import OffsetAndMetadata
        c.commit({tp: OffsetAndMetadata(5, "compat")})
    finally:
        c.close()
    a = admin(ctx)
    try:
        offsets = a.list_consumer_group_offsets(group)
        equal((offsets[tp].offset, offsets[tp].metadata), (5, "compat"), "committed offset and metadata")
    finally:
        a.close()


def error_unknown_topic(ctx):
    topic = ctx.name("missing")
    a = admin(ctx)
    try:
        [described] = a.describe_topics([topic])
        equal(described["error_code"], errors.UnknownTopicOrPartitionError.errno, "error code for an unknown topic")
        check(topic not in a.list_topics(), "metadata without auto-creation created the topic")
    finally:
        a.close()


def error_invalid_topic(ctx):
    a = admin(ctx)
    try:
        for bad in ("compat kafka-python bad name!", "x" * 250, ".."):
            err = expect_error(f"creating {bad[:20]!r}", lambda: a.create_topics([new_topic(a, bad, 1)]))
            check(isinstance(err, errors.InvalidTopicError), f"{bad[:20]!r}: expected InvalidTopicError, got {err!r}")
    finally:
        a.close()


def error_offset_out_of_range(ctx):
    topic = ctx.name()
    produce(ctx, topic, numbered(5), partition=0)
    c = consumer(ctx, auto_offset_reset="none")
    try:
        tp = TopicPartition(topic, 0)
        c.assign([tp])
        c.seek(tp, 1000)
        def poll_until_error():
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                c.poll(timeout_ms=200)
        err = expect_error("fetching offset 1000", poll_until_error)
        check(isinstance(err, errors.OffsetOutOfRangeError), f"expected OffsetOutOfRangeError, got {err!r}")
    finally:
        c.close()


def error_message_too_large(ctx):
    topic = ctx.name()
    produce(ctx, topic, [b"small"])
    p = producer(ctx, max_request_size=4 * MIB, retries=0)
    try:
        future = p.send(topic, value=b"x" * (2 * MIB))
        p.flush()
        err = expect_error("sending 2 MiB", lambda: future.get(timeout=10))
        check(isinstance(err, errors.MessageSizeTooLargeError) and "when serialized" not in str(err), f"expected the broker's MessageSizeTooLargeError, got {err!r}")
    finally:
        p.close()


def compaction(ctx):
    topic = ctx.name()
    create_topic(ctx, topic, configs=COMPACTED_TOPIC_CONFIG)
    p = producer(ctx)
    for round_ in COMPACTION_ROUNDS:
        for key, value in round_:
            p.send(topic, key=key, value=value, partition=0)
        p.flush()
    time.sleep(COMPACTION_ROLL_WAIT_S)
    p.send(topic, key=COMPACTION_TAIL[0], value=COMPACTION_TAIL[1], partition=0)
    p.flush()
    p.close()

    def compacted():
        # The first records from the beginning: until the log is compacted, older ones come first.
        got = read_partition(ctx, topic, len(COMPACTED))[: len(COMPACTED)]
        equal([(r.offset, r.key, r.value) for r in got], COMPACTED, "consumed from the beginning (offset, key, value)")
        return True

    eventually("the log compacted to the latest record per key", compacted, timeout_s=COMPACTION_TIMEOUT_S, interval_s=0.3)

def tls(ctx):
    over, ca_file = ctx.over_tls()
    ssl = {"security_protocol": "SSL", "ssl_cafile": ca_file}
    topic = ctx.name()
    a = KafkaAdminClient(bootstrap_servers=over.bootstrap, client_id="compat-kafka-python", **TIMEOUTS, **ssl)
    try:
        brokers = a.describe_cluster()["brokers"]
        equal(sorted(f"{b['host']}:{b['port']}" for b in brokers), servers(over.bootstrap), "brokers advertised to a client of the SSL listener")
    finally:
        a.close()
    produce(over, topic, [b"over-tls"], partition=0, **ssl)
    got = read_partition(over, topic, 1, **ssl)
    equal([r.value for r in got], [b"over-tls"], "consumed over TLS")


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
    "tls": tls,
    "compaction": compaction,
    "error-unknown-topic": error_unknown_topic,
    "error-invalid-topic": error_invalid_topic,
    "error-offset-out-of-range": error_offset_out_of_range,
    "error-message-too-large": error_message_too_large,
})
