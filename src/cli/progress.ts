// A single self-overwriting progress line on stderr for long client operations ("sent 12000 records").
// Drawn only when stderr is a terminal, so scripts and pipes see clean output; redrawn at most every
// `everyMs`, and erased when the operation ends.

/** The part of a stream the progress line needs (process.stderr, or a fake terminal in tests). */
export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

export interface ProgressOptions {
  stream?: ProgressStream;
  /** Where the command prints results as it goes: when that is a terminal too, the line stays off, so the two do not interleave. */
  output?: { isTTY?: boolean };
  now?: () => number;
  everyMs?: number;
}

export interface Progress {
  /** Shows `text`, unless the line was drawn less than `everyMs` ago. */
  update(text: string): void;
  /** Erases the line, if it was ever drawn. */
  done(): void;
}

// Carriage return, then "erase to end of line" (ANSI EL).
const ERASE = '\r\x1b[K';

export function progressLine({ stream = process.stderr, output, now = Date.now, everyMs = 250 }: ProgressOptions = {}): Progress {
  if (stream.isTTY !== true || output?.isTTY === true) return { update: () => undefined, done: () => undefined };
  let drawnAt: number | undefined;
  return {
    update(text) {
      const t = now();
      if (drawnAt !== undefined && t - drawnAt < everyMs) return;
      drawnAt = t;
      stream.write(`${ERASE}${text}`);
    },
    done() {
      if (drawnAt !== undefined) stream.write(ERASE);
      drawnAt = undefined;
    },
  };
}
