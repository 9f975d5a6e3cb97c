/**
 * The small value types of slipway.yaml: names, durations, addresses, paths. Each carries the
 * message people see when it is wrong, and a pattern the JSON Schema passes on to editors.
 */
import { z } from 'zod';
import { type DurationLimit, durationProblem, longestWait, parseDuration } from '../shared/duration.js';

/** Project and service names: they end up in URLs, instance ids and log file names. */
export const namePattern = /^[a-z0-9][a-z0-9-]*$/;
/** A project or service name. */
export const nameField = z
  .string()
  .max(63, 'must be at most 63 characters')
  .regex(
    namePattern,
    'expected lowercase letters, digits and dashes, starting with a letter or digit (like quote-api)',
  );

/** Environment names must start with a letter: an all-digit key would lose its place in the promotion order (JS objects
 * sort integer keys first). */
export const environmentNameField = z
  .string()
  .max(63, 'must be at most 63 characters')
  .regex(/^[a-z][a-z0-9-]*$/, 'expected lowercase letters, digits and dashes, starting with a letter (like staging)');

/** Release versions; also checked by resolveRelease for versions given on the command line. */
export const versionPattern = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;
/** What a valid version looks like, for messages. */
export const versionMessage =
  'expected a version of letters, digits and . _ + - (starting with a letter or digit, at most 64 characters), like ' +
  '1.4.2';
/** A release version (keys of `releases`). */
export const versionField = z.string().max(64, versionMessage).regex(versionPattern, versionMessage);

/** Environment variable names as POSIX shells accept them. */
export const envNamePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** An environment variable name. */
export const envNameField = z
  .string()
  .regex(envNamePattern, 'expected an environment variable name: letters, digits and _, not starting with a digit');

/** Env values and args are strings; YAML numbers and booleans are accepted and kept as written. */
export const scalarField = z.union([z.string(), z.number(), z.boolean()], { error: 'expected a string' });

/** An env block: variable name → value. */
export const envField = z.record(envNameField, scalarField);

const durationUpTo = (limit?: DurationLimit) =>
  z
    .union([z.string(), z.number()], { error: 'must be a duration like 30s, 500ms or 1m30s' })
    .superRefine((value, ctx) => {
      const problem = durationProblem(value, limit);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });
const longerThanZero = (value: string | number) => {
  const ms = parseDuration(value);
  return ms === undefined || ms > 0; // undefined: the format check above already reported it
};

/**
 * A duration: "250ms", "30s", "1m30s", "2h", "7d" — a unit is required (a bare number is refused as
 * ambiguous, 0 excepted) and it is at most 366d.
 */
export const durationField = durationUpTo();

/** A duration that must be longer than zero. */
export const positiveDurationField = durationField.refine(longerThanZero, 'must be longer than 0');

/** A duration waited for with one timer (a drain, a timeout, an interval): at most 24d. */
export const waitField = durationUpTo(longestWait);

/** A wait that must be longer than zero (probe intervals and timeouts). */
export const positiveWaitField = waitField.refine(longerThanZero, 'must be longer than 0');

const listenText = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

/** host:port with a port 1..65535; `[::1]:8080` for IPv6. */
export const listenField = z
  .string()
  .regex(listenText, 'expected host:port, like 127.0.0.1:8080')
  .refine((value) => {
    const match = listenText.exec(value);
    if (!match) return true; // reported by the pattern
    const port = Number(match[2]);
    return port >= 1 && port <= 65535;
  }, 'the port must be between 1 and 65535');

/** Split a listen address that passed `listenField`; brackets are dropped from IPv6 hosts. */
export function splitListen(listen: string): { host: string; port: number } {
  const match = listenText.exec(listen);
  if (!match) throw new Error(`splitListen: not a host:port: ${listen}`);
  return { host: match[1]!.replace(/^\[(.*)\]$/, '$1'), port: Number(match[2]) };
}

/** Try `splitListen` without throwing, for cross-field checks that run on unvalidated input. */
export function trySplitListen(listen: unknown): { host: string; port: number } | undefined {
  return typeof listen === 'string' && listenText.test(listen) ? splitListen(listen) : undefined;
}

/** URL paths probed or routed: absolute, no whitespace or fragment. */
export function urlPathField(what: string) {
  return z.string().regex(/^\/[^\s#]*$/, `${what} must start with "/" and contain no spaces, like /health`);
}

/** A route's Host header match: a bare host name. */
export const hostField = z
  .string()
  .regex(/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/, 'expected a host name without scheme or port, like quotes.local');

/** The command is spawned without a shell, so "node server.js" would look for a program named that. */
export const commandField = z
  .string()
  .min(1, 'must not be empty')
  .refine(
    (command) => !/\s/.test(command.trim()) || /[\\/]/.test(command),
    'is run without a shell: put the program in command and its arguments in args (command: node, args: [server.js])',
  );

const amountMessage = 'expected an integer >= 0 or a percentage like 25%';

/** Rolling maxSurge / maxUnavailable: a number of instances or a percentage of them. */
export const amountField = z.union(
  [
    z.int(amountMessage).min(0, amountMessage).max(1000, amountMessage),
    z.string().regex(/^(100|[1-9]?\d)%$/, amountMessage),
  ],
  {
    error: amountMessage,
  },
);
