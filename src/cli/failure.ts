import { CommanderError } from 'commander';
import { ConfigError, formatIssue } from '../config/errors.js';
import { exitCodeOf, isSlipwayError, type ErrorCode } from '../shared/errors.js';
import { red } from './output.js';

/**
 * How a failed command is reported: its message for people on stderr, its exit code (the README's table),
 * and with --json also one object on stdout — `{"error":{"code","message","details"}}`, the API's error
 * body — so a script reads why (a key path, what a promotion waits for) instead of parsing the text.
 */

/** The error object a failed `--json` run prints. */
export interface FailureJson {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}

// Details are the API's or the CLI's own and hold no secret today; a key named like one is left out anyway,
// so a future detail cannot leak a token into a CI log.
const secretKey = /token|secret|password|passphrase|authorization|credential|cookie|private.?key|master.?key/i;

function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value === null || typeof value !== 'object') return value;
  const kept: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (!secretKey.test(key)) kept[key] = withoutSecrets(v);
  return kept;
}

/** The JSON a failed run prints for `e`; undefined when the command printed its own result (details.silent). */
export function failureJson(e: unknown): FailureJson | undefined {
  if (e instanceof CommanderError) return { error: { code: 'invalid_input', message: e.message } };
  if (!isSlipwayError(e)) return { error: { code: 'internal', message: (e as Error)?.message ?? String(e) } };
  const { silent, ...rest } = e.details ?? {};
  if (silent) return undefined;
  const details = withoutSecrets(rest) as Record<string, unknown>;
  return {
    error: { code: e.code, message: e.message, ...(Object.keys(details).length > 0 ? { details } : {}) },
  };
}

/** Whether the run asked for --json: the option as parsed when known, else as written before a `--`. */
export function asksForJson(argv: readonly string[], parsed?: boolean): boolean {
  if (parsed !== undefined) return parsed;
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}

/** Report a failed run (text on stderr; with `json`, the object on stdout) and return its exit code. */
export function reportFailure(e: unknown, json: boolean): number {
  const code = textFailure(e);
  const object = code === 0 ? undefined : json ? failureJson(e) : undefined;
  if (object) process.stdout.write(`${JSON.stringify(object)}\n`);
  return code;
}

function textFailure(e: unknown): number {
  if (e instanceof CommanderError) {
    // Commander already printed the message (or the help / version).
    return e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? 0 : 2;
  }
  if (e instanceof ConfigError) {
    if (e.code === 'not_found') {
      process.stderr.write(`${red('slipway:')} ${e.message}\n`);
      return 3;
    }
    // Name the file that was read (--config broken.yaml), not the default name.
    const file = e.issues.find((i) => i.file)?.file ?? 'slipway.yaml';
    const lines = e.issues.length > 0 ? e.issues.map(formatIssue) : [e.message];
    process.stderr.write(`${red(`${file} is invalid:`)}\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
    return 1;
  }
  if (isSlipwayError(e)) {
    if (!e.details?.silent) process.stderr.write(`${red('slipway:')} ${e.message}\n`);
    return exitCodeOf(e.code);
  }
  process.stderr.write(`${red('slipway: internal error:')} ${(e as Error)?.stack ?? String(e)}\n`);
  return 70;
}
