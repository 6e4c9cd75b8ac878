// Kafka's default principal of a TLS client with a certificate: `User:` and the certificate
// subject as an RFC 2253 distinguished name (most specific part first, e.g. `User:CN=app,O=Acme`).
// Creek has no authorizer; the principal names the client in logs.
import type { X509Certificate } from 'node:crypto';

export function sslPrincipal(cert: X509Certificate): string {
  // Node lists the subject's parts one per line, escaped as RFC 2253 asks, in encoded order.
  return `User:${cert.subject.split('\n').reverse().join(',')}`;
}
