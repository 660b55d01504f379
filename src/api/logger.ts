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
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: {
      paths: ['password', '*.password', 'community', '*.community', 'req.headers.cookie', 'req.headers.authorization'],
      censor: '[redacted]',
    },
  };
}

export function createLogger(
  service: 'core' | 'ui' | 'worker' | 'cli',
  level: string,
  destination?: pino.DestinationStream,
): Logger {
  return destination ? pino(loggerOptions(service, level), destination) : pino(loggerOptions(service, level));
}

export type { Logger };
