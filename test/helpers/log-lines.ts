// A pino destination that keeps a broker's JSON log lines, for tests that observe what start-up did.
import { Writable } from 'node:stream';

export class LogLines extends Writable {
  readonly lines: Record<string, unknown>[] = [];

  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    for (const line of chunk.toString().split('\n').filter(Boolean)) this.lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  }

  /** The lines whose message is one of `messages`. */
  withMessage(...messages: string[]): Record<string, unknown>[] {
    return this.lines.filter((l) => messages.includes(l.msg as string));
  }
}
