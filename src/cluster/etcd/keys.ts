// The keys of one cluster under its prefix in etcd (creek.etcd.prefix).
/** `brokers/<nodeId>`: a live broker's registration, held under its lease. */
export const BROKERS_PREFIX = 'brokers/';
/** The controller's {nodeId, incarnation}, held under its lease; its create revision is the controller epoch. */
export const CONTROLLER_KEY = 'controller';
/** `metadata/<kind>/<key>`: the metadata store's documents. */
export const METADATA_PREFIX = 'metadata/';
/** The cluster id, written once by the first broker. */
export const CLUSTER_ID_KEY = 'cluster-id';
