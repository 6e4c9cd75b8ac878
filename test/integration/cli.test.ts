// The `creek` command as users run it: flags, a server.properties file, environment overrides,
// the ready line, a graceful SIGTERM that keeps the data, a second broker on a data dir in use
// refused (and one after a kill -9 not); and on a terminal (a pseudo-terminal
// made by util-linux's script): pretty log lines by default, Ctrl-C, and the progress line.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { kafkaFor, tempDir, withBroker } from '../helpers/broker.js';
import { runCliOk, spawnCli, spawnOnTerminal, startCli } from '../helpers/cli.js';
import { requireProgram } from '../helpers/programs.js';
import { readPartition } from '../helpers/read-partition.js';

const dirs: { remove(): void }[] = [];
afterAll(() => dirs.forEach((d) => d.remove()));

describe('creek CLI', () => {
  it('starts from flags and a properties file, serves kafkajs, and stops gracefully on SIGTERM', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const props = join(dir.path, 'server.properties');
    writeFileSync(props, `# a Kafka config file\nnum.partitions=3\nlog.dirs=${join(dir.path, 'data')}\n`);
    const cli = await startCli(['--config', props, '--port', '0'], { CREEK_AUTO_CREATE_TOPICS_ENABLE: 'true' });
    expect(cli.output()).toContain('Creek is ready');

    const kafka = kafkaFor(cli);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'from-cli', messages: [{ value: 'hello' }] });
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    const meta = await admin.fetchTopicMetadata({ topics: ['from-cli'] });
    expect(meta.topics[0]!.partitions).toHaveLength(3);
    await admin.disconnect();

    expect(await cli.stop('SIGTERM')).toBe(0);

    // Restart on the same data dir: the topic and its record are still there.
    const again = await startCli(['--config', props, '--port', '0']);
    const admin2 = kafkaFor(again).admin();
    await admin2.connect();
    const offsets = await admin2.fetchTopicOffsets('from-cli');
    expect(offsets.reduce((n, p) => n + Number(p.high), 0)).toBe(1);
    await admin2.disconnect();
    expect(await again.stop('SIGINT')).toBe(0);
  });

  it('logs one human-readable line per event with --log-format pretty (or creek.log.format=pretty)', async () => {
    for (const [args, env] of [[['--log-format', 'pretty'], {}], [[], { CREEK_LOG_FORMAT: 'pretty' }]] as const) {
      const cli = await startCli(['--memory', '--port', '0', ...args], env);
      await cli.waitFor(/broker started/);
      expect(await cli.stop()).toBe(0);
      const lines = cli.output().trim().split('\n');
      expect(lines).toContainEqual(expect.stringMatching(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: broker started \{"ms":\d+,"topics":1,"listeners":\["PLAINTEXT:\/\/127\.0\.0\.1:\d+"\]\}$/));
      expect(lines).toContainEqual(expect.stringMatching(/^\[[\d:.]+\] INFO: groups: loaded group state from __consumer_offsets /));
      expect(cli.output()).not.toContain('"level"');
    }
  });

  it('logs JSON lines when stdout is not a terminal, and refuses an unknown format', async () => {
    const cli = await startCli(['--memory', '--port', '0']);
    await cli.waitFor(/broker started/);
    expect(await cli.stop()).toBe(0);
    const json = cli.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: number; msg: string });
    expect(json.map((l) => l.msg)).toEqual(expect.arrayContaining(['starting', 'broker started', 'shutting down', 'broker stopped']));
    expect(json.every((l) => l.level === 30)).toBe(true);
    await expect(startCli(['--memory', '--log-format', 'fancy'])).rejects.toThrow(/exited with 2[\s\S]*creek\.log\.format/);
  });

  it('stops on SIGTERM after the reader of its output went away (creek | head)', async () => {
    const cli = await startCli(['--memory', '--port', '0']);
    cli.child.stdout!.destroy();
    expect(await cli.stop('SIGTERM')).toBe(0);
  });

  it('refuses an invalid configuration with a clear message and exit code 2', async () => {
    await expect(startCli(['--port', 'not-a-port'])).rejects.toThrow(/exited with 2[\s\S]*port/);
  });

  it('refuses a second broker on a data dir a running one uses, without touching it, and starts at once after a kill -9', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const data = join(dir.path, 'data');
    const first = await startCli(['--port', '0', '--data-dir', data]);
    const second = spawnCli(['--port', '0', '--data-dir', data]);
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(`Failed to acquire lock on file .lock in ${data}. A Creek broker in another process (pid ${first.child.pid}) is using this directory.`);
    // It left the first broker's logs alone: no clean-shutdown marker while the first still runs.
    expect(existsSync(join(data, '.kafka_cleanshutdown'))).toBe(false);
    expect(await first.stop('SIGKILL')).toBe('SIGKILL');
    const again = await startCli(['--port', '0', '--data-dir', data]);
    expect(await again.stop('SIGTERM')).toBe(0);
    expect(existsSync(join(data, '.lock'))).toBe(false);
  });
});

describe.skipIf(requireProgram('script'))('creek on a terminal', () => {
  it('logs one coloured human-readable line per event by default, and Ctrl-C stops it cleanly', async () => {
    const cli = spawnOnTerminal(['--memory', '--port', '0', '--http-port=-1']);
    await cli.waitFor(/Creek is ready: bootstrap 127\.0\.0\.1:\d+/);
    cli.child.stdin!.write('\x03');
    // What the terminal showed says whether the broker handled the signal (its shutdown lines) or Node's default did (none).
    expect(await cli.exited, cli.output()).toBe(0);
    const lines = cli.output().split('\r\n');
    // pino-pretty's level in colour (green INFO), the message, its fields; no JSON lines.
    expect(lines).toContainEqual(expect.stringMatching(/^\[\d\d:\d\d:\d\d\.\d{3}\] \x1b\[32mINFO\x1b\[39m: \x1b\[36mbroker started\x1b\[39m \x1b\[90m\{"ms":\d+,/));
    expect(lines).toContainEqual(expect.stringMatching(/INFO.*shutting down.*"signal":"SIGINT"/));
    expect(lines).toContainEqual(expect.stringMatching(/INFO.*broker stopped/));
    expect(cli.output()).not.toContain('"level"');
  });

  it('shows a progress line while produce sends piped lines, and erases it when done', async () => {
    const broker = await withBroker();
    try {
      const dir = tempDir('creek-terminal-');
      dirs.push(dir);
      const input = join(dir.path, 'lines.txt');
      writeFileSync(input, Array.from({ length: 2500 }, (_, i) => `line ${i}`).join('\n') + '\n');
      await runCliOk(['topic', 'create', 'terminal-progress', '--bootstrap', broker.bootstrap]);
      const cli = spawnOnTerminal(['produce', 'terminal-progress', '--bootstrap', broker.bootstrap], input);
      expect(await cli.exited).toBe(0);
      // Carriage return and erase-line before each redraw; the first batch is drawn at once; the last write erases it.
      expect(cli.output()).toMatch(/^\r\x1b\[Ksent 1000 records(\r\x1b\[Ksent \d+ records)*\r\x1b\[K$/);
      expect((await readPartition(broker, 'terminal-progress', 0)).map((r) => r.value)).toEqual(readFileSync(input, 'utf8').trimEnd().split('\n'));
    } finally {
      await broker.stop();
    }
  }, 60_000);
});
