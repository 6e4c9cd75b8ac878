// The package's public API: the embedded broker and its fault injection for tests.
export { startBroker, runBroker, Broker, type RunningBroker, type StartOptions } from './broker.js';
export type { BrokerOptions, BrokerConfig } from './config/broker-config.js';
export type { HttpListener } from './http/http-listener.js';
export { FaultError } from './faults/fault-injector.js';
export type { Fault, FaultInjector, FaultInfo, FaultKind, FailRequests, DelayResponses, CloseAfterRequest, NotLeader, StallWrites, PauseGroup, RequestMatch } from './faults/fault-injector.js';
