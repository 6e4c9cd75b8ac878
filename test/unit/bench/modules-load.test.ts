// `npm run bench` runs under plain tsx, not vitest: a test helper it imports that pulls in vitest
// (`expect`) makes the whole bench fail at start-up. This loads every benchmark module the way the
// bench does, in a plain Node process.
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const modules = ['lib', 'scenarios'].flatMap((dir) =>
  readdirSync(join(ROOT, 'test/bench', dir))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => `./test/bench/${dir}/${f}`),
);

it('imports every benchmark library and scenario module outside vitest', async () => {
  expect(modules.length).toBeGreaterThan(20);
  const script = `for (const m of ${JSON.stringify(modules)}) await import(m); console.log('loaded', ${modules.length});`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT });
  expect(stdout.trim()).toBe(`loaded ${modules.length}`);
}, 60_000);
