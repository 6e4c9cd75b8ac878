// The creek command's logger: pino JSON lines for machines, or one short line per event for people
// (pino-pretty, in-process). Both write through process.stdout, synchronous on Linux for files,
// pipes and terminals, so the last lines before exit are not lost; a reader that went away
// (`creek | head`) stops the log instead of blocking the broker's shutdown.
import pino, { type Logger } from 'pino';
import type pretty from 'pino-pretty';
import type { LogFormat, LogLevel } from '../config/broker-config-defs.js';
import { onFirstUse } from '../../protocol/load-on-first-use.js';

const pinoPretty = onFirstUse<typeof pretty>('pino-pretty');

/** "auto" is pretty when stdout is a terminal and JSON otherwise (a pipe, a file, a log collector). */
export function resolveLogFormat(format: LogFormat, stdoutIsTerminal: boolean): 'json' | 'pretty' {
  if (format !== 'auto') return format;
  return stdoutIsTerminal ? 'pretty' : 'json';
}

export function cliLogger(level: LogLevel, format: LogFormat): Logger {
  const options = { level, name: 'creek' };
  const terminal = process.stdout.isTTY === true;
  const log =
    resolveLogFormat(format, terminal) === 'json'
      ? pino(options, process.stdout)
      : pino(
          options,
          pinoPretty()({
            destination: process.stdout,
            colorize: terminal,
            translateTime: 'SYS:HH:MM:ss.l',
            ignore: 'pid,hostname,name,component,broker',
            // `broker`: which broker of a `creek cluster --threads` process wrote the line.
            messageFormat: '{if broker}broker {broker} | {end}{if component}{component}: {end}{msg}',
            singleLine: true,
          }),
        );
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    log.level = 'silent';
  });
  return log;
}
