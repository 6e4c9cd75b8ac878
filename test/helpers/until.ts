// Waits for a condition that another part of the system brings about (a cluster electing a
// leader, a follower rejoining the ISR): polls it, and fails with what was awaited if it never holds.
export async function until(check: () => boolean | Promise<boolean>, what: string, attempts = 600, intervalMs = 50): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out waiting for ${what}`);
}
