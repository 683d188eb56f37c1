import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger } from 'pino';

/** Paths pino removes from every line: credentials must never reach a log. */
const REDACT_PATHS = [
  'password',
  '*.password',
  'secret',
  '*.secret',
  'privateKey',
  '*.privateKey',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  'token',
  '*.token',
];

export type LoggerOptions = { level?: string; destination?: DestinationStream };

/** The root logger; modules take `root.child({ module: 'exchange.relay' })`. */
export function createRootLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'lienthong' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination ?? pino.destination({ dest: 2, sync: true }),
  );
}

/** For tests and one-shot CLI commands that want no log output. */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
