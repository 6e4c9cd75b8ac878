// SCRAM client against RFC 7677's SCRAM-SHA-256 example exchange, against Creek's own SCRAM
// server for both mechanisms, and its refusals of a server that cannot be trusted.
import { describe, expect, it } from 'vitest';
import { ScramClient, saslNameFromUsername } from '../../../src/security/scram-client.js';
import { credentialFromSaltedPassword, saltedPassword, scramMechanismByName, ScramServer, usernameFromSaslName, SCRAM_MECHANISMS } from '../../../src/security/scram.js';

const SHA256 = scramMechanismByName('SCRAM-SHA-256')!;
const CLIENT_NONCE = 'rOprNGfwEbeRWgbNEkqO';
const SERVER_FIRST = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';
const text = (b: Buffer): string => b.toString('utf8');

describe('ScramClient', () => {
  it('sends RFC 7677 example messages and accepts its server signature', () => {
    const client = new ScramClient(SHA256, 'user', 'pencil', CLIENT_NONCE);
    expect(text(client.first())).toBe(`n,,n=user,r=${CLIENT_NONCE}`);
    expect(text(client.final(Buffer.from(SERVER_FIRST)))).toBe(
      'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
    );
    expect(() => client.verify(Buffer.from('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4='))).not.toThrow();
  });

  it.each(SCRAM_MECHANISMS.map((m) => [m.name, m] as const))('authenticates to the SCRAM server with %s, escaping the user name', (_name, mechanism) => {
    const salt = Buffer.from('some-salt');
    const credential = credentialFromSaltedPassword(mechanism, salt, saltedPassword(mechanism, 'p@ss', salt, 4096), 4096);
    const server = new ScramServer(mechanism, (user) => (user === 'broker,one=a' ? credential : undefined));
    const client = new ScramClient(mechanism, 'broker,one=a', 'p@ss');
    const serverFirst = server.evaluate(client.first());
    client.verify(server.evaluate(client.final(serverFirst)));
    expect(server.username).toBe('broker,one=a');
  });

  it('is refused by the server with a wrong password', () => {
    const salt = Buffer.from('salt');
    const credential = credentialFromSaltedPassword(SHA256, salt, saltedPassword(SHA256, 'right', salt, 4096), 4096);
    const server = new ScramServer(SHA256, () => credential);
    const client = new ScramClient(SHA256, 'broker', 'wrong');
    const serverFirst = server.evaluate(client.first());
    expect(() => server.evaluate(client.final(serverFirst))).toThrow('Invalid client credentials');
  });

  it('refuses a server that does not know the password, changes the nonce, or lowers the iterations', () => {
    const impostor = new ScramClient(SHA256, 'user', 'pencil', CLIENT_NONCE);
    impostor.first();
    impostor.final(Buffer.from(SERVER_FIRST));
    expect(() => impostor.verify(Buffer.from(`v=${Buffer.alloc(32, 7).toString('base64')}`))).toThrow('Invalid SCRAM server signature');

    const refused = new ScramClient(SHA256, 'user', 'pencil', CLIENT_NONCE);
    refused.first();
    refused.final(Buffer.from(SERVER_FIRST));
    expect(() => refused.verify(Buffer.from('e=invalid-proof'))).toThrow('SCRAM authentication failed: invalid-proof');

    const foreignNonce = new ScramClient(SHA256, 'user', 'pencil', CLIENT_NONCE);
    foreignNonce.first();
    expect(() => foreignNonce.final(Buffer.from('r=other-nonce,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096'))).toThrow('Invalid server nonce');
    const sameNonce = new ScramClient(SHA256, 'user', 'pencil', CLIENT_NONCE);
    sameNonce.first();
    expect(() => sameNonce.final(Buffer.from(`r=${CLIENT_NONCE},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`))).toThrow('Invalid server nonce');

    const weak = new ScramClient(SHA256, 'user', 'pencil', CLIENT_NONCE);
    weak.first();
    expect(() => weak.final(Buffer.from(`r=${CLIENT_NONCE}x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1`))).toThrow('less than the minimum 4096');

    const malformed = new ScramClient(SHA256, 'user', 'pencil', CLIENT_NONCE);
    malformed.first();
    expect(() => malformed.final(Buffer.from('nonsense'))).toThrow('Invalid SCRAM server first message');
  });

  it('escapes = and , in the name as the server unescapes them', () => {
    expect(saslNameFromUsername('a=b,c')).toBe('a=3Db=2Cc');
    expect(usernameFromSaslName(saslNameFromUsername('a=b,c=2C'))).toBe('a=b,c=2C');
  });
});
