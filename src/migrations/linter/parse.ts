/**
 * The real PostgreSQL parser (libpg-query, PostgreSQL 15 grammar compiled to WebAssembly) with
 * positions turned into 1-based line:col. libpg-query reports statement locations in UTF-8
 * bytes but error cursors in characters, so both are mapped here and nowhere else.
 */
import { loadModule, parseSync } from 'libpg-query';
import type { ParsedStatement } from '../types.js';

let loaded: Promise<void> | null = null;

/** Loads the WebAssembly parser once; every other function here needs it loaded. */
export function loadParser(): Promise<void> {
  loaded ??= loadModule();
  return loaded;
}

export interface ParseFailure {
  message: string;
  line: number;
  col: number;
}

export type ParseResult = { ok: true; statements: ParsedStatement[] } | { ok: false; error: ParseFailure };

interface RawStatement {
  stmt: Record<string, Record<string, unknown>>;
  stmt_location?: number;
  stmt_len?: number;
}

/** Parses a whole SQL file. Never throws on bad SQL: the failure says what and where. */
export function parseSql(sql: string): ParseResult {
  let tree: { stmts?: RawStatement[] };
  try {
    tree = parseSync(sql) as { stmts?: RawStatement[] };
  } catch (error) {
    const details = (error as { sqlDetails?: { cursorPosition?: number } }).sqlDetails;
    const at = positionAt(sql, Math.max(0, details?.cursorPosition ?? 0));
    return { ok: false, error: { message: (error as Error).message, ...at } };
  }
  const bytes = Buffer.from(sql, 'utf8');
  const statements = (tree.stmts ?? []).map((raw, index): ParsedStatement => {
    const startByte = raw.stmt_location ?? 0;
    const endByte = raw.stmt_len ? startByte + raw.stmt_len : bytes.length;
    const chunk = bytes.subarray(startByte, endByte).toString('utf8');
    const lead = leadingTrivia(chunk);
    const startChar = bytes.subarray(0, startByte).toString('utf8').length + lead;
    const kind = Object.keys(raw.stmt)[0] ?? 'Unknown';
    return {
      index,
      kind,
      node: raw.stmt[kind] ?? {},
      text: chunk.slice(lead).trim(),
      ...positionAt(sql, startChar),
    };
  });
  return { ok: true, statements };
}

/** 1-based line and column of a character offset. */
export function positionAt(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: end - lineStart + 1 };
}

/** Length of the whitespace and comments before a statement's first token. */
function leadingTrivia(chunk: string): number {
  let i = 0;
  for (;;) {
    while (i < chunk.length && /\s/.test(chunk[i]!)) i++;
    if (chunk.startsWith('--', i)) {
      const newline = chunk.indexOf('\n', i);
      i = newline === -1 ? chunk.length : newline + 1;
    } else if (chunk.startsWith('/*', i)) {
      const close = chunk.indexOf('*/', i + 2);
      i = close === -1 ? chunk.length : close + 2;
    } else {
      return i;
    }
  }
}
