// ACLs with other clients and principals: kcat (librdkafka) as SASL/PLAIN users refused before a
// grant, served after it, refused a write a DENY covers and refused again after DeleteAcls; TLS
// client certificates whose subjects ssl.principal.mapping.rules turns into principals (a
// certificate no rule maps is refused). Each part skips with a printed
// reason when the program it needs (kcat; openssl and keytool for certificates) is missing.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Kafka, ResourcePatternTypes, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker.js';
import { produceAndConsume, withBroker } from '../helpers/broker.js';
import { requireProgram } from '../helpers/programs.js';
import { RawClient } from '../helpers/raw-client.js';
import { makeTestCerts, type TestCerts } from '../helpers/tls-certs.js';

const run = promisify(execFile);

const noKcat = requireProgram('kcat');
// Both are asked, so each missing one is reported.
const noCertTools = [requireProgram('openssl'), requireProgram('keytool')].includes(true);

const AUTHORIZER = { 'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer' };

describe.skipIf(noKcat)('ACLs with kcat over SASL/PLAIN', () => {
  let broker: RunningBroker;
  let admin: RawClient;
  const kcat = (user: string, ...args: string[]) =>
    run('kcat', ['-b', broker.bootstrap, '-X', 'security.protocol=SASL_PLAINTEXT', '-X', 'sasl.mechanisms=PLAIN', '-X', `sasl.username=${user}`, '-X', 'sasl.password=pw', ...args], { timeout: 30_000 });
  /** kcat's stderr when it fails; fails the test when it succeeds. */
  const kcatFailure = async (user: string, ...args: string[]): Promise<string> => {
    const err = await kcat(user, ...args).then(() => undefined, (e: { stderr: string }) => e);
    expect(err, 'kcat should have failed').toBeDefined();
    return err!.stderr;
  };
  const produceWithKcat = (user: string, topic: string) =>
    new Promise<void>((resolve, reject) => {
      const child = execFile('kcat', ['-b', broker.bootstrap, '-X', 'security.protocol=SASL_PLAINTEXT', '-X', 'sasl.mechanisms=PLAIN', '-X', `sasl.username=${user}`, '-X', 'sasl.password=pw', '-P', '-t', topic], { timeout: 30_000 }, (err, _out, stderr) =>
        err ? reject(Object.assign(err, { stderr })) : resolve(),
      );
      child.stdin!.end('from kcat\n');
    });

  beforeAll(async () => {
    broker = await withBroker({
      properties: {
        ...AUTHORIZER,
        listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
        'sasl.enabled.mechanisms': 'PLAIN',
        'listener.name.sasl_plaintext.plain.sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="pw" user_carol="pw";',
        'super.users': 'User:admin',
      },
    });
    admin = await RawClient.connectPlain(broker.host, broker.port, 'admin', 'pw');
    await produceWithKcat('admin', 'kcat-acl');
  });
  afterAll(async () => {
    admin?.close();
    await broker?.stop();
  });

  it('refuses a consumer and a producer before the grant, serves them after it, refuses a DENY-ed write and everything again after DeleteAcls', async () => {
    expect(await kcatFailure('carol', '-C', '-t', 'kcat-acl', '-o', 'beginning', '-e')).toContain('Topic authorization failed');
    const { stdout: listed } = await kcat('carol', '-L');
    expect(listed).not.toContain('kcat-acl');
    const produceError = await produceWithKcat('carol', 'kcat-acl').then(() => '', (e: { stderr: string }) => e.stderr);
    expect(produceError).toContain('Topic authorization failed');

    const creations = [AclOperationTypes.READ, AclOperationTypes.WRITE].map((operation) => ({
      resourceType: AclResourceTypes.TOPIC, resourceName: 'kcat-', resourcePatternType: ResourcePatternTypes.PREFIXED,
      principal: 'User:carol', host: '*', operation, permissionType: AclPermissionTypes.ALLOW,
    }));
    expect((await admin.send(30, 3, { creations })).results.map((r) => r.errorCode)).toEqual([0, 0]);
    await produceWithKcat('carol', 'kcat-acl');
    const { stdout } = await kcat('carol', '-C', '-t', 'kcat-acl', '-o', 'beginning', '-e', '-f', '%s\\n');
    expect(stdout.trim().split('\n')).toEqual(['from kcat', 'from kcat']);
    expect((await kcat('carol', '-L')).stdout).toContain('kcat-acl');

    // A DENY on the one topic wins over the PREFIXED ALLOW; reading stays allowed.
    const deny = { ...creations[1]!, resourceName: 'kcat-acl', resourcePatternType: ResourcePatternTypes.LITERAL, permissionType: AclPermissionTypes.DENY };
    expect((await admin.send(30, 3, { creations: [deny] })).results[0]!.errorCode).toBe(0);
    expect(await produceWithKcat('carol', 'kcat-acl').then(() => '', (e: { stderr: string }) => e.stderr)).toContain('Topic authorization failed');
    expect((await kcat('carol', '-C', '-t', 'kcat-acl', '-o', 'beginning', '-e', '-f', '%s\\n')).stdout.trim().split('\n')).toHaveLength(2);

    // DeleteAcls of everything carol has: refused again.
    const carolsAcls = { resourceTypeFilter: AclResourceTypes.ANY, resourceNameFilter: null, patternTypeFilter: ResourcePatternTypes.ANY, principalFilter: 'User:carol', hostFilter: null, operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY };
    expect((await admin.send(31, 3, { filters: [carolsAcls] })).filterResults[0]!.matchingAcls).toHaveLength(3);
    expect(await kcatFailure('carol', '-C', '-t', 'kcat-acl', '-o', 'beginning', '-e')).toContain('Topic authorization failed');
  });
});

describe.skipIf(noCertTools)('TLS client certificates as principals', () => {
  let certs: TestCerts;
  beforeAll(() => {
    certs = makeTestCerts({ keytool: true });
  });
  afterAll(() => certs?.remove());

  const mtls = (extra: Record<string, string>) => ({
    ...AUTHORIZER,
    listeners: 'SSL://127.0.0.1:0',
    'ssl.keystore.type': 'PEM',
    'ssl.keystore.key': certs.serverKey,
    'ssl.keystore.certificate.chain': certs.serverCert,
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': certs.caFile,
    'ssl.client.auth': 'required',
    'group.initial.rebalance.delay.ms': '0',
    ...extra,
  });
  const client = (broker: RunningBroker) =>
    new Kafka({ clientId: 'acl-tls', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 }, ssl: { ca: [certs.ca], cert: certs.clientCert, key: certs.clientKey } });

  it('maps the subject with ssl.principal.mapping.rules and authorizes the mapped principal', async () => {
    // The client certificate's subject is CN=creek-client,O=Creek Test.
    const broker = await withBroker({ properties: mtls({ 'ssl.principal.mapping.rules': 'RULE:^CN=(.*?),O=Creek Test$/$1/U,DEFAULT', 'super.users': 'User:CREEK-CLIENT' }) });
    try {
      expect(await produceAndConsume(client(broker), 'mapped')).toEqual(['one', 'two']);
    } finally {
      await broker.stop();
    }
    const unmapped = await withBroker({ properties: mtls({ 'super.users': 'User:CREEK-CLIENT' }) });
    try {
      // Without the rule the principal is the whole subject, which is not a super user.
      const admin = client(unmapped).admin();
      await admin.connect();
      try {
        await expect(admin.createTopics({ topics: [{ topic: 'refused' }] })).rejects.toThrow();
        expect(await admin.listTopics()).toEqual([]);
      } finally {
        await admin.disconnect();
      }
    } finally {
      await unmapped.stop();
    }
  });

  it('refuses a certificate that no rule maps', async () => {
    const broker = await withBroker({ properties: mtls({ 'ssl.principal.mapping.rules': 'RULE:^CN=(.*?),O=Elsewhere$/$1/' }) });
    try {
      const admin = client(broker).admin();
      await expect(admin.connect()).rejects.toThrow();
    } finally {
      await broker.stop();
    }
  });
});
