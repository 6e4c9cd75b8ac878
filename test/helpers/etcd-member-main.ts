// A broker's membership alone, in its own process (so a test can kill it as a crash would):
// registers node <nodeId> in the cluster under <prefix> of etcd <url> with lease TTL <ttlMs>,
// campaigns for controller, and prints one line per event: registered, elected, lost.
import pino from 'pino';
import { createEtcdClient } from '../../src/cluster/etcd/etcd-client.js';
import { EtcdMembership } from '../../src/cluster/etcd/etcd-membership.js';

const [url, prefix, nodeId, ttlMs] = process.argv.slice(2);
const client = createEtcdClient([url!]);
const membership = await EtcdMembership.open(client.namespace(prefix!), { leaseTtlMs: Number(ttlMs) }, pino({ level: 'silent' }));
await membership.register({ nodeId: Number(nodeId), endpoints: [], rack: null, incarnation: `process-${process.pid}` });
console.log('registered');
membership.campaign(() => console.log('elected'), () => console.log('lost'));
