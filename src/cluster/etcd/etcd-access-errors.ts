// Why a broker cannot use a secured etcd, in words that name the setting to fix: a TLS handshake
// that fails (no point retrying it at start-up), and etcd's answers to a wrong user or password,
// to a missing one, and to a user without permission on the cluster's prefix.
import { EtcdAuthenticationFailedError, EtcdPermissionDeniedError } from 'etcd3';
import type { EtcdConfig } from '../../config/etcd-config.js';

/** etcd refused this broker: its TLS or user settings must change before it can start. */
export class EtcdAccessRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EtcdAccessRefused';
  }
}

/** Node's verdicts on a server certificate it cannot trust. */
const UNTRUSTED_SERVER = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The refusal a failed connection to `endpoint` means, or undefined when it may be passing (not TLS). */
export function tlsRefusal(endpoint: string, err: Error & { code?: string }, config: EtcdConfig): EtcdAccessRefused | undefined {
  const code = err.code ?? '';
  if (UNTRUSTED_SERVER.has(code)) {
    return new EtcdAccessRefused(
      `cannot trust etcd at ${endpoint}: ${err.message} (${code}); creek.etcd.ssl.truststore.location must hold the CA that signed ` +
        'etcd\'s server certificate, and that certificate must name the endpoint\'s host',
    );
  }
  const hasCertificate = config.tls?.privateKey !== undefined;
  if (/CERTIFICATE_REQUIRED$/.test(code) || (!hasCertificate && /_ALERT_/.test(code))) {
    return new EtcdAccessRefused(
      `etcd at ${endpoint} requires a client certificate (it runs with --client-cert-auth; ${code}): set creek.etcd.ssl.keystore.location ` +
        'to a keystore whose certificate a CA in etcd\'s --trusted-ca-file signed',
    );
  }
  if (/_ALERT_/.test(code)) {
    return new EtcdAccessRefused(
      `etcd at ${endpoint} refused the client certificate of creek.etcd.ssl.keystore.location (${code}): etcd accepts ` +
        'certificates that a CA in its --trusted-ca-file signed',
    );
  }
  if (/WRONG_VERSION_NUMBER/.test(code) || /wrong version number/.test(err.message)) {
    return new EtcdAccessRefused(`${endpoint} does not answer TLS (${code || err.message}): an etcd without TLS has http:// client URLs`);
  }
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) return new EtcdAccessRefused(`TLS with etcd at ${endpoint} failed: ${err.message} (${code})`);
  return undefined;
}

/** etcd's answer about users and permissions as an EtcdAccessRefused; any other error as it is. */
export function explainAccessError(err: unknown, config: EtcdConfig): unknown {
  if (!(err instanceof Error)) return err;
  const user = config.auth?.username;
  if (err instanceof EtcdAuthenticationFailedError) {
    return new EtcdAccessRefused(`etcd refused user ${user}: wrong creek.etcd.username or creek.etcd.password (${etcdWords(err)})`);
  }
  if (/etcdserver: user name is empty/.test(err.message)) {
    return new EtcdAccessRefused(`etcd runs with authentication enabled: set creek.etcd.username and creek.etcd.password (${etcdWords(err)})`);
  }
  if (/etcdserver: authentication is not enabled/.test(err.message)) {
    return new EtcdAccessRefused(
      `creek.etcd.username is set, but etcd runs without authentication (${etcdWords(err)}): unset creek.etcd.username and ` +
        'creek.etcd.password, or enable it in etcd (etcdctl auth enable)',
    );
  }
  if (err instanceof EtcdPermissionDeniedError) {
    return new EtcdAccessRefused(
      `etcd user ${user ?? '(none)'} may not read and write the cluster's keys under ${config.prefix} (${etcdWords(err)}): grant it a role ` +
        `with readwrite permission on that prefix (etcdctl role grant-permission ROLE --prefix=true readwrite ${config.prefix})`,
    );
  }
  return err;
}

/** etcd's own message, without the client library's error class name. */
function etcdWords(err: Error): string {
  return /etcdserver: [^\n]*/.exec(err.message)?.[0] ?? err.message;
}
