// Waits for something that happens asynchronously elsewhere (a watch event, a lease expiring).
// The limit only keeps a broken test from hanging; it is not a claim about speed.
export async function eventually<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, limitMs = 20_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
