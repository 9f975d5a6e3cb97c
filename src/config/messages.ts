/**
 * zod issues in words for people. The error map phrases each issue ("expected a string",
 * "unknown key \"heath\" (did you mean \"health\"?)"); toRawIssues flattens them into one
 * issue per key path so each can be pointed at a line of the file.
 */
import type { z } from 'zod';
import { closest, hint } from './suggest.js';

/** A problem at a key path (segments), before it is located in a file. */
export interface RawIssue {
  path: PropertyKey[];
  message: string;
}

const typeNames: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'a mapping (key: value)',
  array: 'a list',
  record: 'a mapping (key: value)',
};

/** Separates per-key messages of one unrecognized_keys issue until toRawIssues splits them. */
const keySeparator = '\u0000';

/** Error map for `safeParse(raw, { error: configErrorMap })`. Per-field messages set in fields.ts win over it. */
export const configErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined) return 'is required';
      // z.int() reports a string as "expected number"; people should read what is really wanted.
      const wanted = issue.expected === 'number' && isInteger(issue.inst) ? 'int' : issue.expected;
      const expected = `expected ${typeNames[wanted] ?? wanted}`;
      if (issue.input === null) return `${expected}, but the value is empty`;
      return wanted === 'array' ? `${expected}${asList(issue.input, issue.path)}` : expected;
    }
    case 'too_small':
      return bound(issue.origin, '>=', '>', issue.minimum, issue.inclusive, issue.schema);
    case 'too_big':
      return bound(issue.origin, '<=', '<', issue.maximum, issue.inclusive, issue.schema);
    case 'invalid_value': {
      if (issue.values.length === 1) return `expected ${JSON.stringify(issue.values[0])}`;
      return `expected one of ${issue.values.join(', ')}${meant(issue.input, issue.values)}`;
    }
    case 'invalid_union': {
      const { options, discriminator } = issue as { options?: unknown[]; discriminator?: string };
      const input =
        discriminator === undefined
          ? issue.input
          : (issue.input as Record<string, unknown> | null | undefined)?.[discriminator];
      if (Array.isArray(options)) return `expected one of ${options.join(', ')}${meant(input, options)}`;
      return 'has the wrong type';
    }
    case 'unrecognized_keys': {
      const known = knownKeys(issue.inst);
      return issue.keys.map((key) => `unknown key "${key}"${hint(key, known)}`).join(keySeparator);
    }
    case 'invalid_format':
      return 'has the wrong format';
    default:
      return undefined; // zod's own wording, better than nothing
  }
};

function bound(
  origin: string,
  inclusiveOp: string,
  exclusiveOp: string,
  limit: number | bigint,
  inclusive: boolean | undefined,
  schema: unknown,
): string {
  const op = inclusive === false ? exclusiveOp : inclusiveOp;
  if (origin === 'string') {
    if (op === '>=' && Number(limit) === 1) return 'must not be empty';
    return `must be ${op === '>=' ? 'at least' : 'at most'} ${limit} characters`;
  }
  if (origin === 'array')
    return `must have ${op === '>=' ? 'at least' : 'at most'} ${limit} ${Number(limit) === 1 ? 'item' : 'items'}`;
  return `expected ${isInteger(schema) ? 'an integer' : 'a number'} ${op} ${limit}`;
}

/** ` (did you mean "x"?)` when a misspelt value is close to one allowed, else nothing (the list is there already). */
function meant(input: unknown, allowed: readonly unknown[]): string {
  const guess = typeof input === 'string' ? closest(input, allowed.map(String)) : undefined;
  return guess === undefined ? '' : ` (did you mean "${guess}"?)`;
}

/** A single value where a list belongs (`on: on-deployment-failed`): show it written as a list. */
function asList(input: unknown, path: readonly PropertyKey[] | undefined): string {
  if (typeof input !== 'string' && typeof input !== 'number' && typeof input !== 'boolean') return '';
  const key = path?.at(-1);
  return `; write it as a list: ${typeof key === 'string' ? `${key}: ` : ''}[${String(input)}]`;
}

/** `.min(1)` is a check; the schema it sits on says whether integers are expected (format 'safeint'). */
function isInteger(schema: unknown): boolean {
  const format = (schema as { _zod?: { def?: { format?: string } } } | undefined)?._zod?.def?.format;
  return format === 'safeint' || format === 'int32';
}

function knownKeys(inst: unknown): string[] {
  const shape = (inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def?.shape;
  return shape ? Object.keys(shape) : [];
}

/** One issue per key path: unknown keys point at the key itself, bad record keys at the key they name. */
export function toRawIssues(issues: readonly z.core.$ZodIssue[]): RawIssue[] {
  const out: RawIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const messages = issue.message.split(keySeparator);
      for (const [i, key] of issue.keys.entries())
        out.push({ path: [...issue.path, key], message: messages[i] ?? `unknown key "${key}"` });
    } else if (issue.code === 'invalid_key') {
      out.push({ path: issue.path, message: `invalid name: ${issue.issues[0]?.message ?? 'not allowed here'}` });
    } else {
      out.push({ path: issue.path, message: issue.message });
    }
  }
  return out;
}
