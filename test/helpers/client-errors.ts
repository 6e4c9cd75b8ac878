// The error responses a client itself met, by API name and Kafka error code: kafkajs logs each
// failed response ("Response Produce(key: 0, version: 7)" with the error's message, which its
// error table maps back to the code), and @platformatic/kafka publishes each on its diagnostics
// channel. Fault-injection tests use them to show the client saw exactly the injected errors.
import { createRequire } from 'node:module';
import { connectionsApiChannel } from '@platformatic/kafka';
import { logLevel, type logCreator } from 'kafkajs';
import { apiDef } from '../../protocol/codec/messages.js';

export interface SeenError {
  api: string;
  code: number;
}

const require = createRequire(import.meta.url);
const kafkajsErrorTable = (require('kafkajs/src/protocol/error.js') as { errorCodes: { code: number; message: string }[] }).errorCodes;
const codeOfMessage = new Map(kafkajsErrorTable.map((e) => [e.message, e.code]));

/** Kafka's name of an API (Produce, FindCoordinator, …), whatever the client calls it. */
const apiName = (apiKey: number): string => apiDef(apiKey)?.name ?? String(apiKey);

/** kafkajs client options that record every error response (`logLevel`, `logCreator`), and what they recorded. */
export function kafkajsErrorResponses(): { logLevel: logLevel; logCreator: logCreator; seen: SeenError[] } {
  const seen: SeenError[] = [];
  const logCreator: logCreator = () => ({ log }) => {
    const m = /^Response \w+\(key: (\d+),/.exec(String(log.message));
    const code = codeOfMessage.get(String((log as { error?: unknown }).error));
    if (m !== null && code !== undefined) seen.push({ api: apiName(Number(m[1])), code });
  };
  return { logLevel: logLevel.ERROR, logCreator, seen };
}

interface ProtocolErrorLike {
  apiCode?: number;
  errors?: ProtocolErrorLike[];
}

/** Records every error code in the responses @platformatic/kafka receives until `stop()`. */
export function platformaticErrorResponses(): { seen: SeenError[]; stop(): void } {
  const seen: SeenError[] = [];
  const onError = (message: unknown): void => {
    const { apiKey, error } = message as { apiKey?: number; error?: ProtocolErrorLike };
    if (apiKey === undefined || error === undefined) return;
    for (const e of error.errors ?? [error]) {
      if (typeof e.apiCode === 'number') seen.push({ api: apiName(apiKey), code: e.apiCode });
    }
  };
  connectionsApiChannel.error.subscribe(onError);
  return { seen, stop: () => connectionsApiChannel.error.unsubscribe(onError) };
}
