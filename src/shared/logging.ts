import { pino, type Logger as PinoLogger } from 'pino';

/** The logger every module takes (pino's interface; Fastify uses the same one). */
export type Logger = Pick<PinoLogger, 'info' | 'warn' | 'error' | 'debug' | 'child'>;

/**
 * Keys whose values never reach a log line: tokens, passwords, secrets, auth headers.
 * Redaction happens in the logger so a careless call site cannot leak them.
 */
export const redactedPaths = [
  'token',
  '*.token',
  'password',
  '*.password',
  'secret',
  '*.secret',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
];

/** A JSON logger writing to `destination` (a file path) or stderr. */
export function createLogger(options: { level?: string; destination?: string; name?: string } = {}): PinoLogger {
  const dest = options.destination
    ? pino.destination({ dest: options.destination, mkdir: true, sync: false })
    : pino.destination(2);
  return pino(
    {
      level: options.level ?? process.env.SLIPWAY_LOG_LEVEL ?? 'info',
      name: options.name,
      redact: { paths: redactedPaths, censor: '[redacted]' },
    },
    dest,
  );
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = pino({ level: 'silent' });
