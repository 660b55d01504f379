import { Writable } from 'node:stream';
import { createLogger as createRollerLogger, type Logger } from '../../src/shared/logger.ts';

export type LogLine = Record<string, unknown> & { message?: string };

/** A Roller logger (same format as production) whose lines land, parsed, in `lines`. */
export function createLogger(service: 'core' | 'ui', lines: LogLine[]): Logger {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  return createRollerLogger(service, 'debug', sink);
}
