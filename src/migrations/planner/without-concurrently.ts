/**
 * PGlite is a single backend, and every CONCURRENTLY form needs other transactions to wait
 * for (on PGlite it fails with "tuple concurrently updated" and leaves an invalid index). The
 * shadow dry run therefore runs the plain form, which builds the same schema. The keyword is
 * removed from the text and the result reparsed: the rewrite is used only if its parse tree
 * is the original's minus CONCURRENTLY, so a comment or a name that happens to contain the
 * word can never change what runs.
 */
import { parseSql } from '../linter/parse.js';
import type { ParsedStatement } from '../types.js';
import { isConcurrent, isConcurrentlyOption } from './transactionless.js';

// Tried in order, each at every place it matches; option lists first so `REINDEX (CONCURRENTLY) INDEX i` loses its
// parentheses too.
const candidates: RegExp[] = [
  /\(\s*concurrently(\s+(true|on|1))?\s*\)/gi,
  /\s*,\s*concurrently(\s+(true|on|1))?\b/gi,
  /\bconcurrently(\s+(true|on|1))?\s*,\s*/gi,
  /\bconcurrently\b/gi,
];

/** The statement's text without CONCURRENTLY, or null when it has none or no safe rewrite exists. */
export function withoutConcurrently(statement: ParsedStatement): string | null {
  if (!isConcurrent(statement)) return null;
  const expected = shapeOf(statement.kind, statement.node);
  for (const pattern of candidates) {
    for (const match of statement.text.matchAll(pattern)) {
      const text = removeAt(statement.text, match.index, match[0].length);
      const parsed = parseSql(text);
      if (!parsed.ok || parsed.statements.length !== 1) continue;
      const [rewritten] = parsed.statements;
      if (rewritten && !isConcurrent(rewritten) && shapeOf(rewritten.kind, rewritten.node) === expected) return text;
    }
  }
  return null;
}

// Keeps one space where the removed word separated two tokens, and none anywhere else.
function removeAt(text: string, start: number, length: number): string {
  let before = text.slice(0, start);
  let after = text.slice(start + length);
  if (/\s$/.test(before) && /^\s/.test(after)) after = after.replace(/^\s+/, '');
  if (/\S$/.test(before) && /^[^\s),]/.test(after) && !/[(,]$/.test(before)) before += ' ';
  return (before + after).replace(/\s+$/, '');
}

// The tree as JSON without positions and without anything that says "concurrently".
function shapeOf(kind: string, node: Record<string, unknown>): string {
  return JSON.stringify({ [kind]: node }, (key, value: unknown) => {
    if (key === 'location' || key === 'concurrent') return undefined;
    if (Array.isArray(value)) {
      const kept = value.filter((item) => !isConcurrentlyOption(item));
      return kept.length > 0 ? kept : undefined;
    }
    return value;
  });
}
