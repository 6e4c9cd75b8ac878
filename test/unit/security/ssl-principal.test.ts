// ssl.principal.mapping.rules: Kafka's SslPrincipalMapper rule syntax and results.
import { describe, expect, it } from 'vitest';
import { SslPrincipalMapper } from '../../../src/security/ssl-principal.js';
import { resolveBrokerConfig } from '../../../src/config/broker-config.js';

describe('SslPrincipalMapper', () => {
  it('keeps the subject with DEFAULT (and with no rules set)', () => {
    expect(SslPrincipalMapper.parse('DEFAULT').name('CN=app,O=Acme')).toBe('CN=app,O=Acme');
    expect(SslPrincipalMapper.parse(null).name('CN=app,O=Acme')).toBe('CN=app,O=Acme');
  });

  it('applies the first rule whose pattern matches the whole name, with L and U', () => {
    const m = SslPrincipalMapper.parse('RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/L,RULE:^CN=(.*?),OU=(.*?),O=(.*?)$/$1@$3/U, DEFAULT');
    expect(m.name('CN=Alice,OU=ServiceUsers,O=Acme')).toBe('alice');
    expect(m.name('CN=bob,OU=Ops,O=acme')).toBe('BOB@ACME');
    expect(m.name('CN=carol')).toBe('CN=carol');
  });

  it('refuses a name no rule matches when there is no DEFAULT', () => {
    const m = SslPrincipalMapper.parse('RULE:^CN=([^,]*),O=Acme$/$1/');
    expect(m.name('CN=dave,O=Acme')).toBe('dave');
    expect(m.name('CN=dave,O=Other')).toBeNull();
  });

  it('reads escaped slashes in patterns and rules over several lines', () => {
    const m = SslPrincipalMapper.parse('RULE:^CN=(.*)\\/ops$/$1/,\n  DEFAULT');
    expect(m.name('CN=eve/ops')).toBe('eve');
    expect(m.name('CN=eve')).toBe('CN=eve');
  });

  it('rejects malformed rules at configuration time', () => {
    expect(() => SslPrincipalMapper.parse('RULE:^CN=(.*)$')).toThrow('Invalid rule');
    expect(() => SslPrincipalMapper.parse('DEFAULT, junk')).toThrow('Invalid rule');
    expect(() => resolveBrokerConfig({ properties: { 'ssl.principal.mapping.rules': 'RULE:oops' } })).toThrow('ssl.principal.mapping.rules');
    expect(() => resolveBrokerConfig({ properties: { 'authorizer.class.name': 'com.example.Custom' } })).toThrow('authorizer.class.name');
  });
});
