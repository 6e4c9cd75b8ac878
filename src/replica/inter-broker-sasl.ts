// SASL from the client side on a fresh inter-broker connection, as Kafka's brokers authenticate
// to each other: SaslHandshake v1 naming the mechanism, then its tokens in SaslAuthenticate v2
// requests (PLAIN: one token; SCRAM: client-first, client-final, and the server's signature checked).
import { ErrorCode } from '../../protocol/errors.js';
import type { InterBrokerSasl } from '../security/inter-broker-config.js';
import { ScramClient } from '../security/scram-client.js';
import { scramMechanismByName } from '../security/scram.js';
import type { AnyApiKey, RequestOf, ResponseOf } from '../../protocol/codec/messages.js';
import { InterBrokerAuthFailure } from './inter-broker-auth.js';

const SASL_HANDSHAKE_VERSION = 1;
const SASL_AUTHENTICATE_VERSION = 2;

/** What the exchange needs of a connection: one request at a time, answered. */
export interface RequestChannel {
  send<K extends AnyApiKey>(apiKey: K, version: number, body: RequestOf<K>): Promise<ResponseOf<K>>;
}

export async function authenticate(connection: RequestChannel, sasl: InterBrokerSasl): Promise<void> {
  const handshake = await connection.send(17, SASL_HANDSHAKE_VERSION, { mechanism: sasl.mechanism });
  if (handshake.errorCode !== ErrorCode.NONE) {
    throw new InterBrokerAuthFailure(`SASL mechanism ${sasl.mechanism} refused (error ${handshake.errorCode}); the peer enables ${handshake.mechanisms.join(', ')}`, 'sasl');
  }
  const exchange = async (token: Buffer): Promise<Buffer> => {
    const answer = await connection.send(36, SASL_AUTHENTICATE_VERSION, { authBytes: token });
    if (answer.errorCode !== ErrorCode.NONE) {
      throw new InterBrokerAuthFailure(`SASL/${sasl.mechanism} authentication as ${sasl.username} failed (error ${answer.errorCode}): ${answer.errorMessage ?? ''}`, 'sasl');
    }
    return answer.authBytes;
  };
  const scram = scramMechanismByName(sasl.mechanism);
  if (scram === undefined) {
    await exchange(Buffer.from(`\0${sasl.username}\0${sasl.password}`, 'utf8'));
    return;
  }
  const client = new ScramClient(scram, sasl.username, sasl.password);
  const serverFirst = await exchange(client.first());
  const clientFinal = refusing(sasl, () => client.final(serverFirst));
  const serverFinal = await exchange(clientFinal);
  refusing(sasl, () => client.verify(serverFinal));
}

/** A server message the SCRAM client cannot accept is an authentication failure too. */
function refusing<T>(sasl: InterBrokerSasl, step: () => T): T {
  try {
    return step();
  } catch (err) {
    throw new InterBrokerAuthFailure(`SASL/${sasl.mechanism} authentication as ${sasl.username}: ${(err as Error).message}`, 'sasl');
  }
}
