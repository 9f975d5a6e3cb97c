/**
 * The real PostgreSQL parser (libpg-query, PostgreSQL 15 grammar compiled to WebAssembly) with
 * positions turned into 1-based line:col. libpg-query reports statement locations in UTF-8
 * bytes but error cursors in characters (0-based code points), so both are mapped here
 * (through SourceWalker) and nowhere else. Columns count UTF-16 code units (JavaScript string
 * indexes), never bytes.
 */
import type { ParsedStatement } from '../types.js';
import { leadingTrivia, SourceWalker } from './source-walker.js';

type LibPgQuery = typeof import('libpg-query');
let library: LibPgQuery | undefined;
let loaded: Promise<void> | null = null;

/**
 * Loads the WebAssembly parser once; every other function here needs it loaded. The package itself is imported
 * here too, not with this module: a coordinator reaches this module at start and may never parse SQL.
 */
export function loadParser(): Promise<void> {
  loaded ??= import('libpg-query').then(async (module) => {
    await module.loadModule();
    library = module;
  });
  return loaded;
}

function parser(): LibPgQuery {
  if (!library) throw new Error('the SQL parser is not loaded: call loadParser() first');
  return library;
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
  // libpg-query rejects whitespace-only input ("Query cannot be empty"); an empty file is valid.
  if (sql.trim() === '') return { ok: true, statements: [] };
  const { parseSync } = parser();
  let tree: { stmts?: RawStatement[] };
  try {
    tree = parseSync(sql) as { stmts?: RawStatement[] };
  } catch (error) {
    const details = (error as { sqlDetails?: { cursorPosition?: number } }).sqlDetails;
    const walker = new SourceWalker(sql);
    walker.seekCodePoint(Math.max(0, details?.cursorPosition ?? 0));
    return { ok: false, error: { message: (error as Error).message, ...walker.position() } };
  }
  const walker = new SourceWalker(sql);
  const statements = (tree.stmts ?? []).map((raw, index): ParsedStatement => {
    const startByte = raw.stmt_location ?? 0;
    const start = walker.seekByte(startByte);
    const first = start + leadingTrivia(sql, start, sql.length);
    walker.seekIndex(first);
    const position = walker.position();
    // stmt_len 0 (or absent) means "to the end of the input".
    const end = raw.stmt_len ? walker.seekByte(startByte + raw.stmt_len) : sql.length;
    const kind = Object.keys(raw.stmt)[0] ?? 'Unknown';
    return {
      index,
      kind,
      node: raw.stmt[kind] ?? {},
      text: sql.slice(first, end).trim(),
      ...position,
    };
  });
  return { ok: true, statements };
}

/** 1-based line and column of a UTF-16 offset in `text`. */
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
