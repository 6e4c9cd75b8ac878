// Cooperative time slicing for long jobs on the broker's event loop (the log cleaner): the job
// checks `due` between small units of work and, once a slice of about `sliceMs` is used up,
// awaits `yield()`, which lets pending I/O (requests) run before the next slice starts. A request
// then waits at most one slice plus one unit that cannot be split (e.g. one huge batch).
import { setImmediate as nextTurn } from 'node:timers/promises';

export class TimeSlicer {
  private sliceStart: number;

  /** `clock`: milliseconds, monotonic (tests may pass a counter). */
  constructor(
    private readonly sliceMs: number,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.sliceStart = clock();
  }

  /** True when the current slice is used up: finish the unit at hand and `yield()`. */
  get due(): boolean {
    return this.clock() - this.sliceStart >= this.sliceMs;
  }

  /** Gives the event loop a turn and starts a new slice. */
  async yield(): Promise<void> {
    await nextTurn();
    this.sliceStart = this.clock();
  }
}
