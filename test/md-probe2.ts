import { buildBroker, startBrokerProcess } from './bench/lib/processes.js';
import { RawClient } from './helpers/raw-client.js';
const broker = await startBrokerProcess({ cli: buildBroker(), core: '1', memory: false, overrides: { 'num.partitions': 10 }, nodeArgs: ['--import', 'tsx', '--import', process.cwd() + '/test/bench/lib/heap-probe.ts', '--trace-gc-nvp'], captureStdout: true });
const raw = await RawClient.connect('127.0.0.1', broker.port);
const topics = Array.from({ length: 1000 }, (_, i) => `t-${i}`);
if (process.env.VIA_CREATE) { for (let i = 0; i < 1000; i += 100) await raw.send(19, 7, { topics: topics.slice(i, i + 100).map((name) => ({ name, numPartitions: 10, replicationFactor: 1, assignments: [], configs: [] })), timeoutMs: 30000, validateOnly: false } as never); } else for (let i = 0; i < 1000; i += 100) await raw.send(3, 12, { topics: topics.slice(i, i + 100).map((name) => ({ name, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' })), allowAutoTopicCreation: true, includeTopicAuthorizedOperations: false } as never);
const from = broker.stdout.length;
if (process.env.CREEK_HEAP_PROFILE) broker.child.kill('SIGUSR2');
const cpu0 = broker.usage().cpuMs;
const t0 = Date.now(); let n = 0;
while (Date.now() - t0 < 5000) { const i = (n * 100) % 1000; await raw.send(3, 12, { topics: topics.slice(i, i + 100).map((name) => ({ name, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' })), allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false } as never); n++; }
const cpu = broker.usage().cpuMs - cpu0;
if (process.env.CREEK_HEAP_PROFILE) { broker.child.kill('SIGUSR2'); while (!broker.stdout.includes('[probe] heap profile written')) await new Promise((r) => setTimeout(r, 50)); }
const rows = broker.stdout.slice(from).split('\n').filter((l) => l.includes('gc=s ')).map((l) => Object.fromEntries(l.split(' ').filter((x) => x.includes('=')).map((x) => x.split('='))));
const avg = (k: string) => rows.reduce((a, r) => a + Number(r[k] ?? 0), 0) / Math.max(1, rows.length);
console.log(`requests ${n} broker CPU ms/request ${(cpu / n).toFixed(3)} scavenges ${rows.length} pause ${avg('pause').toFixed(1)} survived KB ${(avg('new_space_survived') / 1024).toFixed(0)}`);
raw.close(); await broker.stop();
