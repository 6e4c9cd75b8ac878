// Stock Python Kafka clients driven from tests: Debian's kafka-python and confluent-kafka-python
// (librdkafka) under the first python3 on PATH that imports them, each logging in with SASL/PLAIN to produce or to consume
// with a group (confluent-kafka also in a transaction), and reporting what happened as JSON: the values read, or the name of the error
// the client raised (e.g. TopicAuthorizationFailedError / TOPIC_AUTHORIZATION_FAILED).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { requirePythonModule, type PythonModule } from './programs.js';

const run = promisify(execFile);

export type PythonClient = 'kafka-python' | 'confluent-kafka';
const MODULE: Record<PythonClient, string> = { 'kafka-python': 'kafka', 'confluent-kafka': 'confluent_kafka' };

/** The python3 that imports a client, or skip: true (printed, and a failure under CREEK_TEST_REQUIRE_ALL). */
export function pythonClient(client: PythonClient): PythonModule {
  return requirePythonModule(MODULE[client]);
}

export interface PythonResult {
  /** The values consumed (a producer reports the values it sent). */
  values?: string[];
  /** The error's class name (kafka-python) or librdkafka error name (confluent-kafka). */
  error?: string;
  /** kafka-python: the topics Metadata answered with TOPIC_AUTHORIZATION_FAILED (it times out rather than raising). */
  unauthorized?: string[];
}

const SCRIPT = `
import json, sys
client, mode, bootstrap, user, password, topic, group = sys.argv[1:8]
values = ['%s-%s-%d' % (client, user, i) for i in range(2)]
def report(**kw):
    print(json.dumps(kw))
    sys.exit(0)
if client == 'kafka-python':
    import logging, kafka, kafka.errors
    import re
    # kafka-python 2.0.2's producer ignores a topic's TOPIC_AUTHORIZATION_FAILED (29) in metadata
    # and waits out max_block_ms (KafkaTimeoutError): the topics so refused are read from the
    # responses it logs at debug level, to report them.
    unauthorized = []
    class Refusals(logging.Handler):
        def emit(self, record):
            for topic in re.findall(r"error_code=29, topic='([^']+)'", record.getMessage()):
                if topic not in unauthorized:
                    unauthorized.append(topic)
    conn_log = logging.getLogger('kafka.conn')
    conn_log.setLevel(logging.DEBUG)
    conn_log.propagate = False
    conn_log.addHandler(Refusals())
    auth = dict(bootstrap_servers=bootstrap, security_protocol='SASL_PLAINTEXT', sasl_mechanism='PLAIN',
                sasl_plain_username=user, sasl_plain_password=password, api_version=(2, 5, 0))
    try:
        if mode == 'produce':
            producer = kafka.KafkaProducer(acks='all', max_block_ms=3000, **auth)
            for v in values:
                producer.send(topic, v.encode()).get(timeout=20)
            producer.close()
            report(values=values)
        consumer = kafka.KafkaConsumer(topic, group_id=group, auto_offset_reset='earliest', consumer_timeout_ms=15000, **auth)
        seen = []
        for message in consumer:
            seen.append(message.value.decode())
            if len(seen) == 2:
                break
        consumer.close()
        report(values=seen)
    except kafka.errors.KafkaError as e:
        report(error=type(e).__name__, **({'unauthorized': unauthorized} if unauthorized else {}))
else:
    import confluent_kafka
    auth = {'bootstrap.servers': bootstrap, 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanisms': 'PLAIN',
            'sasl.username': user, 'sasl.password': password}
    if mode == 'transact':
        # The group argument is the transactional id; both records are committed in one transaction.
        producer = confluent_kafka.Producer({**auth, 'transactional.id': group, 'message.timeout.ms': 10000})
        try:
            producer.init_transactions(20)
            producer.begin_transaction()
            for v in values:
                producer.produce(topic, v.encode())
            producer.commit_transaction(20)
        except confluent_kafka.KafkaException as e:
            report(error=e.args[0].name())
        report(values=values)
    if mode == 'produce':
        errors = []
        producer = confluent_kafka.Producer({**auth, 'message.timeout.ms': 10000})
        for v in values:
            producer.produce(topic, v.encode(), on_delivery=lambda err, msg: err and errors.append(err.name()))
        producer.flush(20)
        report(error=errors[0]) if errors else report(values=values)
    consumer = confluent_kafka.Consumer({**auth, 'group.id': group, 'auto.offset.reset': 'earliest'})
    consumer.subscribe([topic])
    seen = []
    idle = 0
    while idle < 10 and len(seen) < 2:
        msg = consumer.poll(1.0)
        if msg is None:
            idle += 1
        elif msg.error():
            consumer.close()
            report(error=msg.error().name())
        else:
            seen.append(msg.value().decode())
    consumer.close()
    report(values=seen)
`;

/**
 * Runs one client as `user`: produce two records to `topic`, consume two with `group` (giving up
 * after 10-15 s of silence), or (confluent-kafka only) produce them in one transaction whose
 * transactional id is `group`.
 */
export async function runPythonClient(
  python: PythonModule,
  client: PythonClient,
  mode: 'produce' | 'consume' | 'transact',
  opts: { bootstrap: string; user: string; password: string; topic: string; group?: string },
): Promise<PythonResult> {
  const { stdout } = await run(python.python, ['-c', SCRIPT, client, mode, opts.bootstrap, opts.user, opts.password, opts.topic, opts.group ?? ''], { timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as PythonResult;
}
