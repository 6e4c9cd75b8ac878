// Kafka-style SASL settings: the JAAS login module syntax, PlainLoginModule users, PLAIN tokens and
// the listener-scoped mechanism list.
import { describe, expect, it } from 'vitest';
import { parseJaasConfig, plainUsers } from '../../../src/security/jaas.js';
import { PlainServer } from '../../../src/security/plain.js';
import { resolveSaslConfig } from '../../../src/security/sasl-config.js';

describe('parseJaasConfig', () => {
  it('reads the module, flag and quoted or bare options', () => {
    const entry = parseJaasConfig(
      'org.apache.kafka.common.security.plain.PlainLoginModule required\n  username="admin" password="a \\"quoted\\" secret" user_admin="x;y" debug=true;',
    );
    expect(entry.loginModule).toBe('org.apache.kafka.common.security.plain.PlainLoginModule');
    expect(entry.controlFlag).toBe('required');
    expect(Object.fromEntries(entry.options)).toEqual({ username: 'admin', password: 'a "quoted" secret', user_admin: 'x;y', debug: 'true' });
    expect(plainUsers(entry)).toEqual(new Map([['admin', 'x;y']]));
  });

  it('refuses a missing flag, a missing ";", a broken option and two modules', () => {
    expect(() => parseJaasConfig('PlainLoginModule user_a="x";')).toThrow('control flag');
    expect(() => parseJaasConfig('PlainLoginModule required user_a="x"')).toThrow('must end with ";"');
    expect(() => parseJaasConfig('PlainLoginModule required user_a;')).toThrow('expected key=value');
    expect(() => parseJaasConfig('A required; B optional;')).toThrow('contains 2 login modules, should be 1 module');
  });
});

describe('PlainServer', () => {
  const users = new Map([['alice', 'secret']]);

  it('authenticates authcid/password, with or without a matching authzid', () => {
    const server = new PlainServer(users);
    expect(server.evaluate(Buffer.from('\0alice\0secret'))).toEqual(Buffer.alloc(0));
    expect(server.username).toBe('alice');
    expect(new PlainServer(users).evaluate(Buffer.from('alice\0alice\0secret'))).toEqual(Buffer.alloc(0));
  });

  it('fails as Kafka does, telling the client only about wrong credentials and authzid', () => {
    expect(() => new PlainServer(users).evaluate(Buffer.from('\0alice\0nope'))).toThrow(expect.objectContaining({ visible: true, message: 'Authentication failed: Invalid username or password' }));
    expect(() => new PlainServer(users).evaluate(Buffer.from('\0bob\0secret'))).toThrow('Invalid username or password');
    expect(() => new PlainServer(users).evaluate(Buffer.from('alice'))).toThrow(expect.objectContaining({ visible: false, message: 'Authentication failed: username not specified' }));
    expect(() => new PlainServer(users).evaluate(Buffer.from('\0alice\0'))).toThrow('Authentication failed: password not specified');
    expect(() => new PlainServer(users).evaluate(Buffer.from('bob\0alice\0secret'))).toThrow('authorization id that is different from username');
  });
});

describe('resolveSaslConfig', () => {
  const lookup = (values: Record<string, string>) => (key: string): string | null => values[key] ?? null;

  it('is undefined for listeners without SASL', () => {
    expect(resolveSaslConfig('PLAINTEXT', 'PLAINTEXT', lookup({}), [])).toBeUndefined();
  });

  it('prefers the listener-prefixed mechanisms and reads the PLAIN users of that listener', () => {
    const problems: string[] = [];
    const config = resolveSaslConfig('EXTERNAL', 'SASL_PLAINTEXT', lookup({
      'sasl.enabled.mechanisms': 'GSSAPI',
      'listener.name.external.sasl.enabled.mechanisms': 'SCRAM-SHA-512, PLAIN',
      'listener.name.external.plain.sasl.jaas.config': 'PlainLoginModule required user_bob="pw";',
    }), problems);
    expect(problems).toEqual([]);
    expect(config).toEqual({ listenerName: 'EXTERNAL', mechanisms: ['SCRAM-SHA-512', 'PLAIN'], plainUsers: new Map([['bob', 'pw']]) });
  });

  it('reports unsupported and missing mechanisms and a PLAIN listener without users', () => {
    const problems: string[] = [];
    resolveSaslConfig('SASL_PLAINTEXT', 'SASL_PLAINTEXT', lookup({ 'sasl.enabled.mechanisms': 'OAUTHBEARER' }), problems);
    resolveSaslConfig('SASL_PLAINTEXT', 'SASL_PLAINTEXT', lookup({ 'sasl.enabled.mechanisms': ' ' }), problems);
    resolveSaslConfig('SASL_PLAINTEXT', 'SASL_PLAINTEXT', lookup({ 'sasl.enabled.mechanisms': 'PLAIN' }), problems);
    expect(problems).toEqual([
      'SASL mechanism OAUTHBEARER in sasl.enabled.mechanisms is not supported by Creek (supported: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)',
      'No SASL mechanisms are enabled for listener SASL_PLAINTEXT (set sasl.enabled.mechanisms)',
      'No JAAS configuration for SASL/PLAIN on listener SASL_PLAINTEXT: set listener.name.sasl_plaintext.plain.sasl.jaas.config',
    ]);
  });
});
