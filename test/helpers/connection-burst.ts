// Raw connections that each ask for ApiVersions: whether a broker serves a connection, and how
// many of a burst it serves, for tests of connection limits and rates.
import { expect } from 'vitest';
import { decodeResponse, encodeRequest } from '../../protocol/codec/messages.js';
import { openFrameSocket, type FrameSocket } from './frames.js';

let correlationId = 0;

/** Fails unless the connection answers an ApiVersions request. */
export async function answers(s: FrameSocket): Promise<void> {
  const id = ++correlationId;
  s.send(encodeRequest(18, 3, id, 'limits', { clientSoftwareName: 'limits', clientSoftwareVersion: '1', clusterId: null, nodeId: -1 }));
  const frame = await Promise.race([s.next(), s.closed.then(() => Promise.reject(new Error('connection closed')))]);
  const res = decodeResponse(18, 3, frame);
  expect(res.correlationId).toBe(id);
  expect(res.body.errorCode).toBe(0);
}

/**
 * Sends `s` an ApiVersions request without waiting for it: `answer` settles when it is answered
 * (rejects when closed first), `answered()` says whether it has been by now, for a connection
 * the broker has accepted but not yet taken on.
 */
export function awaitAnswer(s: FrameSocket): { answer: Promise<void>; answered(): boolean } {
  let done = false;
  const answer = answers(s);
  answer.then(
    () => (done = true),
    () => undefined,
  );
  return { answer, answered: () => done };
}

/**
 * Opens `n` connections to `port` from `from` at once, each sending an ApiVersions request: those
 * answered (kept open), and how many were closed without an answer.
 */
export async function flood(port: number, n: number, from = '127.0.0.1'): Promise<{ served: FrameSocket[]; unanswered: number }> {
  const outcomes = await Promise.all(
    Array.from({ length: n }, async () => {
      const s = await openFrameSocket(port, '127.0.0.1', from);
      return answers(s).then(() => s, () => null);
    }),
  );
  const served = outcomes.filter((s): s is FrameSocket => s !== null);
  return { served, unanswered: n - served.length };
}
