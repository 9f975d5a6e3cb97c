/**
 * Input for the lint throughput benchmark (bench/migrations.ts): the corpus statements, cycled
 * with table names varied per round so the mix stays realistic (DDL of every kind, data changes,
 * reads, comments, UTF-8 names) without repeating the same text. The parser must be loaded.
 */
import { corpus } from './corpus.js';
import { nodeAs } from './nodes.js';
import { parseSql } from './parse.js';

interface Templates {
  statements: string[];
  tableNames: RegExp;
}

let templates: Templates | null = null;

/** `n` single statements (without trailing semicolons) for lintSql. */
export function benchStatements(n: number): string[] {
  templates ??= readTemplates();
  const { statements, tableNames } = templates;
  const result: string[] = [];
  for (let i = 0; i < n; i++) {
    const round = Math.floor(i / statements.length);
    const text = statements[i % statements.length]!;
    result.push(round === 0 ? text : text.replace(tableNames, `$1_r${round}`));
  }
  return result;
}

function readTemplates(): Templates {
  const statements: string[] = [];
  const tables = new Set<string>();
  for (const c of corpus) {
    if (c.parseError) continue;
    const parsed = parseSql(c.sql);
    if (!parsed.ok) continue;
    for (const statement of parsed.statements) {
      // BEGIN/COMMIT would change the transaction model of the file the benchmark batches them in.
      if (statement.kind === 'TransactionStmt') continue;
      statements.push(statement.text);
      collectTables(statement.node, tables);
    }
  }
  const names = [...tables].sort((a, b) => b.length - a.length).map((name) => name.replace(/[^\p{L}\p{N}_]/gu, ''));
  return { statements, tableNames: new RegExp(`(?<![\\p{L}\\p{N}_])(${names.join('|')})(?![\\p{L}\\p{N}_])`, 'gu') };
}

/** Table names in a statement: every `relation`, `relname` of a RangeVar, in one walk. */
function collectTables(node: unknown, into: Set<string>): void {
  const stack: unknown[] = [node];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) stack.push(...value);
    else if (value !== null && typeof value === 'object') {
      const relation = nodeAs(value, 'RangeVar') ?? (value as { relation?: { relname?: string } }).relation;
      if (relation?.relname) into.add(relation.relname);
      for (const child of Object.values(value)) if (typeof child === 'object') stack.push(child);
    }
  }
}
