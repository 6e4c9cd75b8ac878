// The package's public API: the embedded broker.
export { startBroker, runBroker, Broker, type RunningBroker, type StartOptions } from './broker.js';
export type { BrokerOptions, BrokerConfig } from './config/broker-config.js';
export type { HttpListener } from './http/http-listener.js';
export { startCluster, type ClusterOptions, type RunningCluster } from './start-cluster.js';
