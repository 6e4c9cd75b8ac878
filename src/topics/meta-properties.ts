// A data dir's meta.properties, as Kafka keeps it: the cluster id, the node id it belongs to, and
// the directory's own id (directory.id), which tells this data dir from every other one. A data
// dir written before directory.id existed gets one at its next start, as Kafka gives one.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrokerConfig } from '../config/broker-config.js';
import { parseProperties } from '../config/properties.js';
import { readIfExists, writeFileAtomic } from '../log/atomic-file.js';
import { newKafkaUuid } from '../kafka-uuid.js';

export interface NodeIdentity {
  clusterId: string;
  directoryId: string;
}

const FILE = 'meta.properties';

/** The data dir's directory.id, read without writing anything; undefined when it has none yet. */
export function readDirectoryId(dataDir: string): string | undefined {
  const meta = readIfExists(join(dataDir, FILE));
  return meta === undefined ? undefined : parseProperties(meta.toString('utf8')).get('directory.id');
}

/** Checks (or writes, when new) a data dir's meta.properties against this node; answers the ids to use. */
export async function loadNodeIdentity(brokerConfig: BrokerConfig, dataDir: string): Promise<NodeIdentity> {
  mkdirSync(dataDir, { recursive: true });
  const metaPath = join(dataDir, FILE);
  const meta = readIfExists(metaPath);
  if (meta === undefined) {
    const identity = { clusterId: brokerConfig.clusterId, directoryId: newKafkaUuid() };
    await writeFileAtomic(metaPath, `version=1\ncluster.id=${identity.clusterId}\nnode.id=${brokerConfig.nodeId}\ndirectory.id=${identity.directoryId}\n`);
    return identity;
  }
  const text = meta.toString('utf8');
  const props = parseProperties(text);
  const stored = props.get('cluster.id');
  if (stored && brokerConfig.staticProps.has('cluster.id') && stored !== brokerConfig.clusterId) {
    throw new Error(`The cluster id ${brokerConfig.clusterId} does not match the stored cluster id ${stored} in ${metaPath}`);
  }
  // Replica lists in the metadata name brokers by id: a data dir belongs to one node id, as in Kafka.
  const storedNode = props.get('node.id');
  if (storedNode !== undefined && Number(storedNode) !== brokerConfig.nodeId) {
    throw new Error(
      `Stored node id ${storedNode} doesn't match the configured node id ${brokerConfig.nodeId} in ${metaPath}. If you moved your data, make sure your configured node id matches; for a new node, use an empty data dir.`,
    );
  }
  let directoryId = props.get('directory.id');
  if (directoryId === undefined) {
    directoryId = newKafkaUuid();
    await writeFileAtomic(metaPath, `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}directory.id=${directoryId}\n`);
  }
  return { clusterId: stored || brokerConfig.clusterId, directoryId };
}
