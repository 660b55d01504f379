import { type Logger, type LoggerOptions, pino } from 'pino';

/**
 * One JSON object per line: `level` as a word, `time` RFC 3339, `service`, `message` (SPEC §11.3).
 * Secrets never reach a log line: the redact paths cover the headers and fields that carry them.
 */
export function loggerOptions(service: 'core' | 'ui' | 'worker' | 'cli', level: string): LoggerOptions {
  return {
    level,
    messageKey: 'message',
    base: { service },
    timestamp: preciseTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: {
      paths: ['password', '*.password', 'community', '*.community', 'req.headers.cookie', 'req.headers.authorization'],
      censor: '[redacted]',
    },
  };
}

/** RFC 3339 with microseconds (performance.now() carries sub-millisecond precision). */
function preciseTime(): string {
  const now = performance.timeOrigin + performance.now();
  const millis = Math.floor(now);
  const micros = String(Math.floor((now - millis) * 1000)).padStart(3, '0');
  return `,"time":"${new Date(millis).toISOString().slice(0, -1)}${micros}Z"`;
}

export function createLogger(
  service: 'core' | 'ui' | 'worker' | 'cli',
  level: string,
  destination?: pino.DestinationStream,
): Logger {
  return destination ? pino(loggerOptions(service, level), destination) : pino(loggerOptions(service, level));
}

export type { Logger };
