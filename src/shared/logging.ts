import { pino, type Logger as PinoLogger } from 'pino';

/** The logger every module takes (pino's interface; Fastify uses the same one). */
export type Logger = Pick<PinoLogger, 'info' | 'warn' | 'error' | 'debug' | 'child'>;

/** Each key at the top level and one or two objects down (`{ credentials: { privateKey } }`, `{ a: { b: … } }`). */
const atDepths = (key: string) => [key, `*.${key}`, `*.*.${key}`];

/**
 * Keys whose values never reach a log line: tokens, passwords, secrets, auth headers, SSH key material (the SSH
 * runtime's HostCredentials and ssh2's ConnectConfig: privateKey, passphrase, password).
 * Redaction happens in the logger so a careless call site cannot leak them.
 */
export const redactedPaths = [
  'token',
  '*.token',
  ...atDepths('password'),
  'secret',
  '*.secret',
  ...atDepths('privateKey'),
  ...atDepths('passphrase'),
  ...atDepths('credentials'),
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
];

const pemPrivateKey = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;

/** `text` with every PEM private key block (OpenSSH, PKCS#1/#8, …; cut short ones too) replaced by a placeholder. */
export function withoutKeyMaterial(text: string): string {
  return text.includes('PRIVATE KEY-----') ? text.replace(pemPrivateKey, '[redacted private key]') : text;
}

/**
 * A log argument with private keys removed from its strings (messages of errors too), wherever they sit in plain
 * data: a key read from the wrong secret can reach a message under any name. Copied only when it holds one.
 */
export function scrubKeyMaterial<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return withoutKeyMaterial(value) as T;
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    const message = withoutKeyMaterial(value.message);
    const stack = value.stack === undefined ? undefined : withoutKeyMaterial(value.stack);
    if (message === value.message && stack === value.stack) return value;
    return { type: value.name, message, ...(stack ? { stack } : {}) } as T;
  }
  // Only plain data: requests, replies and sockets go through pino's serializers, and walking them would cost every
  // request its log line's worth of CPU.
  const proto = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return value;
  let copy: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(value)) {
    const scrubbed = scrubKeyMaterial(v, depth + 1);
    if (scrubbed === v) continue;
    copy ??= (Array.isArray(value) ? [...value] : { ...value }) as Record<string, unknown>;
    copy[k] = scrubbed;
  }
  return (copy ?? value) as T;
}

/** pino options that keep secrets and key material out of every line (the coordinator's, the proxy's, tests'). */
export const redactionOptions = {
  redact: { paths: redactedPaths, censor: '[redacted]' },
  hooks: {
    logMethod(this: PinoLogger, args: unknown[], method: (...a: unknown[]) => void) {
      method.apply(
        this,
        args.map((a) => scrubKeyMaterial(a)),
      );
    },
  },
};

/** A JSON logger writing to `destination` (a file path) or stderr. */
export function createLogger(options: { level?: string; destination?: string; name?: string } = {}): PinoLogger {
  const dest = options.destination
    ? pino.destination({ dest: options.destination, mkdir: true, sync: false })
    : pino.destination(2);
  return pino(
    {
      level: options.level ?? process.env.SLIPWAY_LOG_LEVEL ?? 'info',
      name: options.name,
      ...redactionOptions,
    },
    dest,
  );
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = pino({ level: 'silent' });
