// A broker thread's end of its port to the host: calls and their replies. Every reply carries the
// membership as the host saw it when answering, applied before the call resolves, so that a broker
// that registered or campaigned sees the result at once, as it would on an in-process registry.
import type { MessagePort } from 'node:worker_threads';
import { ControllerFenced, MetadataConflict } from '../../metadata/metadata-store.js';
import { NodeIdInUse } from '../membership.js';
import type { CallError, HostCall, MembershipState, ToHost } from './thread-messages.js';

/** The errors a caller tells apart by class; others arrive as plain Errors. */
const KNOWN_ERRORS: Record<string, { prototype: Error }> = {
  MetadataConflict,
  ControllerFenced,
  NodeIdInUse,
};

export function toCallError(err: unknown): CallError {
  return err instanceof Error ? { name: err.name, message: err.message } : { name: 'Error', message: String(err) };
}

function fromCallError({ name, message }: CallError): Error {
  const known = KNOWN_ERRORS[name];
  const err = known === undefined ? new Error(message) : (Object.create(known.prototype) as Error);
  if (known !== undefined) Object.defineProperty(err, 'message', { value: message, writable: true, configurable: true });
  err.name = name;
  return err;
}

export class HostLink {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (result: number | undefined) => void; reject: (err: Error) => void }>();

  constructor(
    private readonly port: MessagePort,
    private readonly applyMembership: (state: MembershipState) => void,
  ) {}

  call(call: HostCall): Promise<number | undefined> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send({ type: 'call', id, call });
    });
  }

  send(message: ToHost): void {
    this.port.postMessage(message);
  }

  reply(id: number, state: MembershipState, result: number | undefined, error: CallError | undefined): void {
    const waiter = this.pending.get(id);
    if (waiter === undefined) return;
    this.pending.delete(id);
    this.applyMembership(state);
    if (error === undefined) waiter.resolve(result);
    else waiter.reject(fromCallError(error));
  }
}
