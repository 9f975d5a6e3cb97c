/**
 * `-- slipway: …` comments in migration files. They are comments so the files stay plain SQL
 * that psql, Flyway or a reviewer reads unchanged:
 *   -- slipway: phase=expand
 *   -- slipway: phase=contract after=2.0.0
 *   -- slipway: irreversible
 *   -- slipway: allow RULE because REASON   (covers the next statement)
 */
import type { AllowDirective, MigrationPhase } from './types.js';

export interface Directives {
  phase: MigrationPhase | null;
  after: string | null;
  irreversible: boolean;
  allows: AllowDirective[];
  /** `line: message` for every directive that could not be read. */
  problems: { line: number; message: string }[];
}

const directiveLine = /^\s*--\s*slipway:\s*(.*)$/i;

/** Reads every directive of one file. */
export function readDirectives(sql: string): Directives {
  const result: Directives = { phase: null, after: null, irreversible: false, allows: [], problems: [] };
  sql.split('\n').forEach((text, index) => {
    const match = directiveLine.exec(text);
    if (!match) return;
    readOne(match[1]!.trim(), index + 1, result);
  });
  return result;
}

function readOne(body: string, line: number, into: Directives): void {
  const allow = /^allow\s+([a-z0-9-]+)\s+because\s+(\S.*)$/i.exec(body);
  if (allow) {
    into.allows.push({ rule: allow[1]!.toLowerCase(), reason: allow[2]!.trim(), line });
    return;
  }
  if (/^allow\b/i.test(body)) {
    into.problems.push({ line, message: 'write "-- slipway: allow RULE because REASON": a reason is required' });
    return;
  }
  for (const word of body.split(/\s+/).filter(Boolean)) {
    const [key, value] = word.split('=', 2) as [string, string | undefined];
    if (key === 'irreversible' && value === undefined) into.irreversible = true;
    else if (key === 'phase' && (value === 'expand' || value === 'contract')) into.phase = value;
    else if (key === 'after' && value) into.after = value;
    else
      into.problems.push({
        line,
        message:
          `unknown directive "${word}" (expected phase=expand|contract, after=VERSION, irreversible or allow ` +
          `RULE because REASON)`,
      });
  }
}
