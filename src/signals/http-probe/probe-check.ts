import { isDeepStrictEqual } from 'node:util';
import type { HttpProbeExpectation } from './probe-config.js';

/** A probe's answer as received. */
export interface ProbeAnswer {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** What the release check needs: which release should answer, and where the answer says who it is. */
export interface ReleaseCheck {
  candidate: string;
  header: string;
}

/**
 * Everything wrong with an answer, each said for people ("status 500, expected 200",
 * "premium: 105749.06, expected 102668.99"); empty when the check passes.
 */
export function problemsWith(answer: ProbeAnswer, expect: HttpProbeExpectation, release: ReleaseCheck): string[] {
  const problems: string[] = [];
  const status = expect.status ?? 200;
  if (answer.status !== status) problems.push(`status ${answer.status}, expected ${status}`);
  if (expect.release) {
    const raw = answer.headers[release.header.toLowerCase()];
    const answeredBy = Array.isArray(raw) ? raw[0] : raw;
    if (answeredBy === undefined)
      problems.push(`no ${release.header} header, so it cannot be told that candidate ${release.candidate} answered`);
    else if (answeredBy !== release.candidate)
      problems.push(`answered by release ${answeredBy} (${release.header}), expected candidate ${release.candidate}`);
  }
  if (expect.bodyContains !== undefined && !answer.body.includes(expect.bodyContains))
    problems.push(`body does not contain ${JSON.stringify(expect.bodyContains)}`);
  if (expect.json !== undefined) problems.push(...jsonProblems(answer.body, expect.json));
  return problems;
}

function jsonProblems(body: string, expected: Record<string, unknown>): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [`body is not JSON (${JSON.stringify(body.slice(0, 80))})`];
  }
  const problems: string[] = [];
  for (const [path, want] of Object.entries(expected)) {
    const got = valueAt(parsed, path);
    if (!got.found) problems.push(`${path}: missing, expected ${show(want)}`);
    else if (!isDeepStrictEqual(got.value, want)) problems.push(`${path}: ${show(got.value)}, expected ${show(want)}`);
  }
  return problems;
}

/** Follow a dotted path ("quote.items.0.name"); array elements by index. */
export function valueAt(root: unknown, path: string): { found: true; value: unknown } | { found: false } {
  let value = root;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return { found: false };
    value = (value as Record<string, unknown>)[key];
  }
  return { found: true, value };
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
