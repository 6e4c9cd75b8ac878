// Test helper: run fn and hand back what it threw (undefined if nothing).
export function catchError(fn: () => unknown): unknown {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err;
  }
}
