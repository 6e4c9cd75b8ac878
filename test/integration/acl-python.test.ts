// ACLs with the Python client families as SASL/PLAIN users: kafka-python (Debian's 2.0.2) and
// confluent-kafka-python (librdkafka) are refused a write before the grant
// (TOPIC_AUTHORIZATION_FAILED in their metadata or delivery report), allowed after CreateAcls and refused again after DeleteAcls, and a
// consumer group needs READ on both the group and the topic; a confluent-kafka transactional
// producer needs WRITE on its transactional id. Each family skips with a printed
// reason when no python3 on PATH can import it.
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes, type Admin, type AclEntry } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../src/broker.js';
import { withBroker } from '../helpers/broker.js';
import { pythonClient, runPythonClient, type PythonClient, type PythonResult } from '../helpers/python-clients.js';
import { kafkaWith } from '../helpers/sasl.js';

const PASSWORD = 'pw';
const PROPERTIES = {
  'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
  listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
  'sasl.enabled.mechanisms': 'PLAIN',
  'listener.name.sasl_plaintext.plain.sasl.jaas.config':
    `org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="${PASSWORD}" user_dave="${PASSWORD}" user_erin="${PASSWORD}";`,
  'super.users': 'User:admin',
  'group.initial.rebalance.delay.ms': 0,
};

const allow = (principal: string, resourceType: AclResourceTypes, resourceName: string, operation: AclOperationTypes): AclEntry => ({
  resourceType, resourceName, resourcePatternType: ResourcePatternTypes.LITERAL, principal, host: '*', operation, permissionType: AclPermissionTypes.ALLOW,
});

// How each client reports a refused write: kafka-python 2.0.2 gets TOPIC_AUTHORIZATION_FAILED in
// Metadata but times out waiting for partitions; librdkafka fails the delivery with it.
// kafka-python 2.0.2 has no transactional producer (it came in 2.1), so only librdkafka is tried.
const FAMILIES: { client: PythonClient; user: string; writeDenied: PythonResult; groupDenied: string; transactions: boolean }[] = [
  { client: 'kafka-python', user: 'dave', writeDenied: { error: 'KafkaTimeoutError', unauthorized: ['py-writes'] }, groupDenied: 'GroupAuthorizationFailedError', transactions: false },
  { client: 'confluent-kafka', user: 'erin', writeDenied: { error: 'TOPIC_AUTHORIZATION_FAILED' }, groupDenied: 'GROUP_AUTHORIZATION_FAILED', transactions: true },
];

for (const { client, user, writeDenied, groupDenied, transactions } of FAMILIES) {
  describe(`ACLs with ${client} over SASL/PLAIN`, () => {
    let broker: RunningBroker;
    let admin: Admin;
    const python = pythonClient(client);
    const missing = python.skip;
    const as = (who: string, mode: 'produce' | 'consume' | 'transact', topic: string, group?: string) =>
      runPythonClient(python, client, mode, { bootstrap: broker.bootstrap, user: who, password: PASSWORD, topic, ...(group !== undefined && { group }) });

    beforeAll(async () => {
      if (missing) return;
      broker = await withBroker({ properties: PROPERTIES });
      admin = kafkaWith(broker, { mechanism: 'plain', username: 'admin', password: PASSWORD }).admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'py-writes' }, { topic: 'py-reads' }, { topic: 'py-txn' }] });
      expect(await as('admin', 'produce', 'py-reads')).toEqual({ values: [`${client}-admin-0`, `${client}-admin-1`] });
    });
    afterAll(async () => {
      await admin?.disconnect();
      await broker?.stop();
    });

    it('refuses a write before the grant, allows it after CreateAcls, refuses it again after DeleteAcls', async (t) => {
      if (missing) return t.skip();
      expect(await as(user, 'produce', 'py-writes')).toEqual(writeDenied);
      const grant = allow(`User:${user}`, AclResourceTypes.TOPIC, 'py-writes', AclOperationTypes.WRITE);
      await admin.createAcls({ acl: [grant] });
      expect(await as(user, 'produce', 'py-writes')).toEqual({ values: [`${client}-${user}-0`, `${client}-${user}-1`] });
      const deleted = await admin.deleteAcls({ filters: [grant] });
      expect(deleted.filterResponses[0]!.matchingAcls).toHaveLength(1);
      expect(await as(user, 'produce', 'py-writes')).toEqual(writeDenied);
    });

    it('consumes with a group only with READ on both the group and the topic', async (t) => {
      if (missing) return t.skip();
      const group = `${client}-readers`;
      await admin.createAcls({ acl: [allow(`User:${user}`, AclResourceTypes.TOPIC, 'py-reads', AclOperationTypes.READ)] });
      expect(await as(user, 'consume', 'py-reads', group)).toEqual({ error: groupDenied });
      await admin.createAcls({ acl: [allow(`User:${user}`, AclResourceTypes.GROUP, group, AclOperationTypes.READ)] });
      expect(await as(user, 'consume', 'py-reads', group)).toEqual({ values: [`${client}-admin-0`, `${client}-admin-1`] });
      await admin.deleteAcls({ filters: [allow(`User:${user}`, AclResourceTypes.TOPIC, 'py-reads', AclOperationTypes.READ)] });
      expect(await as(user, 'consume', 'py-reads', `${group}-2`)).toMatchObject({ error: expect.stringMatching(/^(Topic|Group|TOPIC|GROUP)/) });
    });

    if (transactions) {
      it('produces transactionally only with WRITE on the transactional id', async (t) => {
        if (missing) return t.skip();
        const txnId = `${client}-txn`;
        await admin.createAcls({ acl: [allow(`User:${user}`, AclResourceTypes.TOPIC, 'py-txn', AclOperationTypes.WRITE)] });
        expect(await as(user, 'transact', 'py-txn', txnId)).toEqual({ error: 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED' });
        await admin.createAcls({ acl: [allow(`User:${user}`, AclResourceTypes.TRANSACTIONAL_ID, txnId, AclOperationTypes.WRITE)] });
        expect(await as(user, 'transact', 'py-txn', txnId)).toEqual({ values: [`${client}-${user}-0`, `${client}-${user}-1`] });
      });
    }
  });
}
