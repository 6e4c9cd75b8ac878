// The etcd client of a broker in cluster mode, tuned to notice an etcd that went away and to use
// it again soon after it returns: no call waits longer than CALL_TIMEOUT_MS, gRPC redials within
// a second, and an endpoint that failed is tried again after a second (etcd3's default is five,
// longer than a short broker lease). A secured etcd gets the client's TLS material and its user.
import { AsyncLocalStorage } from 'node:async_hooks';
import { circuitBreaker, ConsecutiveBreaker, handleWhen, type IDefaultPolicyContext, type IPolicy } from 'cockatiel';
import { Etcd3, isRecoverableError } from 'etcd3';
import type { EtcdAuth, EtcdTls } from '../../config/etcd-config.js';

/** Longest wait for one request (streams, such as watches and lease keep-alives, excepted). */
export const CALL_TIMEOUT_MS = 5000;

export interface EtcdSecurity {
  tls?: EtcdTls;
  auth?: EtcdAuth;
}

export function createEtcdClient(endpoints: readonly string[], { tls, auth }: EtcdSecurity = {}): Etcd3 {
  return new Etcd3({
    hosts: [...endpoints],
    ...(tls === undefined
      ? {}
      : {
          credentials: {
            rootCertificate: Buffer.from(tls.ca),
            ...(tls.privateKey === undefined ? {} : { privateKey: Buffer.from(tls.privateKey), certChain: Buffer.from(tls.certChain!) }),
          },
        }),
    ...(auth === undefined ? {} : { auth: { ...auth } }),
    dialTimeout: CALL_TIMEOUT_MS,
    grpcOptions: {
      'grpc.initial_reconnect_backoff_ms': 200,
      'grpc.max_reconnect_backoff_ms': 1000,
    },
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + CALL_TIMEOUT_MS }),
    faultHandling: {
      host: () => reentrant(circuitBreaker(handleWhen(isRecoverableError), { halfOpenAfter: 1000, breaker: new ConsecutiveBreaker(3) })),
    },
  });
}

/**
 * The policy, except that a call made from inside one of its own calls runs straight through.
 * etcd3 retries a request refused for an expired auth token (as every token is after etcd
 * restarts) from inside the host's policy; when that request was the circuit breaker's half-open
 * trial, the retry would wait for the trial to end, which waits for the retry: a hang.
 */
function reentrant(policy: IPolicy): IPolicy {
  const inside = new AsyncLocalStorage<true>();
  return {
    _altReturn: undefined as never,
    onSuccess: policy.onSuccess,
    onFailure: policy.onFailure,
    execute: (fn, signal) =>
      inside.getStore() === true
        ? Promise.resolve().then(() => fn({ signal: signal ?? new AbortController().signal }))
        : policy.execute((context: IDefaultPolicyContext) => inside.run(true, () => fn(context)), signal),
  };
}
