// What a user installs: `npm pack` ships the compiled runtime only (dist/src, dist/protocol, the
// web console's static files), and the tarball installs into an empty project, where
// `creek --version` answers and `creek` serves kafkajs and the web console (its chart library
// from the installed uplot dependency). The package is packed from a copy of the sources, so the work tree's dist/ is untouched.
import { execFile, spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { kafkaFor, produceAndConsume, tempDir } from '../helpers/broker.js';
import { missing } from '../helpers/programs.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const work = tempDir('creek-package-');
afterAll(() => work.remove());

/** Packs a copy of the package (its `prepare` script builds dist/) and returns the tarball's path and file list. */
async function pack(): Promise<{ tarball: string; files: string[] }> {
  const source = join(work.path, 'source');
  for (const entry of ['package.json', 'package-lock.json', 'README.md', 'tsconfig.json', 'tsconfig.build.json', 'src', 'protocol']) {
    cpSync(join(ROOT, entry), join(source, entry), { recursive: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(source, 'node_modules'));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work.path], { cwd: source, timeout: 180_000, maxBuffer: 16 << 20 });
  const [packed] = JSON.parse(stdout.slice(stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
  return { tarball: join(work.path, packed!.filename), files: packed!.files.map((f) => f.path) };
}

describe('the packed package', () => {
  it('holds only the compiled runtime, installs from the tarball, and runs `creek`', async (ctx) => {
    const { tarball, files } = await pack();
    expect(files).toContain('dist/src/cli.js');
    expect(files).toContain('dist/src/index.d.ts');
    // Compiled modules and their declarations, plus the web console's static files where it has them.
    expect(files.filter((f) => !/^dist\/(src|protocol)\/.*\.(js|d\.ts)$|^src\/console\/assets\/[^/]+\.(html|css|js)$/.test(f)).sort()).toEqual(['README.md', 'package.json']);

    const app = join(work.path, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'creek-install-check', version: '1.0.0', private: true }));
    // npm's cache holds every dependency after `npm ci`; the registry is asked only for what it lacks.
    const installed = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: app, timeout: 300_000 }).then(
      () => true,
      (err: { stderr?: string }) => {
        const why = (err.stderr ?? String(err)).split('\n').filter((l) => l.startsWith('npm error') && !l.includes('complete log')).slice(0, 4).join('; ');
        missing('an install of the packed tarball', `npm install failed here: ${why}`, 'network access (npm registry, native dependencies\' prebuilt binaries) or a C++ toolchain to build them');
        return false;
      },
    );
    if (!installed) return ctx.skip();

    const version = await run('npm', ['exec', '--offline', '--', 'creek', '--version'], { cwd: app });
    expect(version.stdout.trim()).toBe((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);

    const creek = spawn(join(app, 'node_modules/.bin/creek'), ['--memory', '--port', '0', '--http-port', '0'], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => creek.once('exit', resolve));
    try {
      const [bootstrap, httpUrl] = await new Promise<[string, string]>((resolve, reject) => {
        let out = '';
        creek.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const m = /Creek is ready: bootstrap (\S+) .*schema registry at (\S+)/.exec(out);
          if (m) resolve([m[1]!, m[2]!]);
        });
        void exited.then((code) => reject(new Error(`installed creek exited with ${code}:\n${out}`)));
      });
      expect(await produceAndConsume(kafkaFor({ bootstrap }), 'installed')).toEqual(['one', 'two']);
      for (const asset of ['/', '/console/console.js', '/console/charts.js', '/console/console.css', '/console/uPlot.js', '/console/uPlot.css']) {
        expect([asset, (await fetch(`${httpUrl}${asset}`)).status]).toEqual([asset, 200]);
      }
      // The client commands run from the package too (kafkajs is a runtime dependency for them).
      const cli = (args: string[]) => run(join(app, 'node_modules/.bin/creek'), [...args, '--bootstrap', bootstrap], { cwd: app });
      expect((await cli(['topic', 'list'])).stdout).toMatch(/^installed +1$/m);
      expect((await cli(['consume', 'installed', '--exit', '-f', '%o:%v\\n'])).stdout).toBe('0:one\n1:two\n');
    } finally {
      creek.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 600_000);
});
