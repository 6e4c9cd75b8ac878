// The creek command's logger: pino JSON lines for machines, or one short line per event for people
// (pino-pretty, in-process and synchronous so nothing is lost when the process exits).
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { LogFormat, LogLevel } from '../config/broker-config-defs.js';

/** "auto" is pretty when stdout is a terminal and JSON otherwise (a pipe, a file, a log collector). */
export function resolveLogFormat(format: LogFormat, stdoutIsTerminal: boolean): 'json' | 'pretty' {
  if (format !== 'auto') return format;
  return stdoutIsTerminal ? 'pretty' : 'json';
}

export function cliLogger(level: LogLevel, format: LogFormat): Logger {
  const options = { level, name: 'creek' };
  if (resolveLogFormat(format, process.stdout.isTTY === true) === 'json') return pino(options);
  return pino(
    options,
    pretty({
      sync: true,
      colorize: process.stdout.isTTY === true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,name,component',
      messageFormat: '{if component}{component}: {end}{msg}',
      singleLine: true,
    }),
  );
}
