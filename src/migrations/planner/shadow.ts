/**
 * The shadow dry run: on a throwaway in-memory PGlite, apply the history, then each pending
 * migration up, down and up again, comparing the schema after each step with
 * what it must be. It finds the down script that forgets an index and the up that cannot run
 * twice, before either reaches a real database.
 */
import type { PGlite } from '@electric-sql/pglite';
import { MigrationError } from '../errors.js';
import { loadParser, parseSql, type ParseResult } from '../linter/parse.js';
import type { Migration, ParsedStatement, SourcePosition } from '../types.js';
import { preparedSnapshots, type CatalogSnapshot } from './catalog.js';
import { diffCatalogs } from './diff.js';
import type { DryRunDirection, DryRunReport, DryRunStep } from './dry-run-report.js';
import { extensionsCreatedBy, pgliteExtensions } from './shadow-extensions.js';
import { runShadowScript } from './shadow-script.js';

export type { DryRunDirection, DryRunProblem, DryRunReport, DryRunStep } from './dry-run-report.js';

export interface ShadowDryRunInput {
  migrations: Migration[];
  /** The last version applied to the target database; 0 for none. */
  appliedThrough: number;
}

/** The runner's history table; never part of a migration's effect. */
const excludeTables = ['slipway_migration_history'];

/**
 * Dry-runs the pending migrations (version > appliedThrough) on a new in-memory PGlite.
 * Example: `const report = await shadowDryRun({ migrations: loadMigrations('db/migrations'), appliedThrough: 12 })`
 */
export async function shadowDryRun({ migrations, appliedThrough }: ShadowDryRunInput): Promise<DryRunReport> {
  const started = performance.now();
  await loadParser();
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  const scripts = new ParsedScripts();
  // Loaded here, not with the module: a coordinator imports the planner at start and may never dry-run anything.
  const { PGlite } = await import('@electric-sql/pglite');
  const db = new PGlite({ extensions: await pgliteExtensions(extensionsCreatedBy(scripts.statementsOf(sorted))) });
  try {
    await db.waitReady.catch((e: unknown) => {
      throw new MigrationError(
        'unavailable',
        `cannot start the shadow database (in-memory PGlite): ${(e as Error)?.message ?? e}`,
        undefined,
        { cause: e },
      );
    });
    const run = new ShadowRun(db, scripts, await preparedSnapshots(db, { excludeTables }));
    await run.execute(
      sorted.filter((m) => m.version <= appliedThrough),
      sorted.filter((m) => m.version > appliedThrough),
      appliedThrough,
    );
    return {
      ok: run.steps.every((s) => s.ok),
      appliedThrough,
      steps: run.steps,
      notes: run.notes(),
      totalMs: performance.now() - started,
    };
  } finally {
    await db.close().catch(() => undefined);
  }
}

/** Each script is parsed once, however many times the run applies it. */
class ParsedScripts {
  private readonly cache = new Map<string, ParseResult>();

  get(sql: string): ParseResult {
    let parsed = this.cache.get(sql);
    if (!parsed) {
      parsed = parseSql(sql);
      this.cache.set(sql, parsed);
    }
    return parsed;
  }

  *statementsOf(migrations: Migration[]): Iterable<ParsedStatement> {
    for (const m of migrations) {
      for (const sql of [m.up, m.down]) {
        const parsed = sql === null ? null : this.get(sql);
        if (parsed?.ok) yield* parsed.statements;
      }
    }
  }
}

class ShadowRun {
  readonly steps: DryRunStep[] = [];
  private readonly extraNotes: string[] = [];
  private readonly rewritten = new Map<string, SourcePosition>();
  /**
   * Objects that already differ and the step that first reported them: a down that leaves an
   * index behind is reported once, not again at every later step (where its column position may
   * even have shifted). Later failures while something differs say where it may come from.
   */
  private carried = new Map<string, number>();

  constructor(
    private readonly db: PGlite,
    private readonly scripts: ParsedScripts,
    private readonly snapshot: () => Promise<CatalogSnapshot>,
  ) {}

  async execute(history: Migration[], pending: Migration[], appliedThrough: number): Promise<void> {
    for (const m of history) {
      if ((await this.runScript(m, 'up')) === null) {
        this.extraNotes.push(
          `the history (versions through ${appliedThrough}) does not apply to an empty database: ${m.id} failed, so ` +
            `nothing pending was tried`,
        );
        return;
      }
    }
    if (pending.length === 0) {
      this.extraNotes.push(`nothing pending: every migration is at or below version ${appliedThrough}`);
      return;
    }
    // Each pending migration in turn: up, down (must give back the schema before it), up again
    // (must give the schema after it), so an irreversible migration only skips its own down
    // instead of leaving every down script below it unchecked.
    let before = await this.snapshot();
    // What the schema really is before the next up: a wrong down whose leftover survived the
    // re-up makes it differ from `before`, and that leftover is not a change of the next up.
    let current = before;
    for (const m of pending) {
      const durationMs = await this.runScript(m, 'up');
      if (durationMs === null) return;
      const after = await this.snapshot();
      this.steps.push({
        migration: m.id,
        direction: 'up',
        ok: true,
        durationMs,
        changes: diffCatalogs(current, after),
      });
      current = after;
      if (m.down === null)
        this.extraNotes.push(`${m.id} is irreversible (declared, no down script): applied once, not undone`);
      else {
        if (!(await this.runAndCompare(m, 'down', before))) return;
        const reapplied = await this.runAndCompare(m, 'reup', after);
        if (!reapplied) return;
        current = reapplied;
      }
      before = after;
    }
  }

  /** Runs a script and compares the schema with `expected`; the schema it left, or null when a statement failed and the
   * run must stop. */
  private async runAndCompare(
    m: Migration,
    direction: DryRunDirection,
    expected: CatalogSnapshot,
  ): Promise<CatalogSnapshot | null> {
    const durationMs = await this.runScript(m, direction);
    if (durationMs === null) return null;
    const actual = await this.snapshot();
    const all = diffCatalogs(expected, actual);
    const fresh = all.filter((d) => !this.carried.has(d.object));
    const note = this.earlierMismatch();
    this.carried = new Map(all.map((d) => [d.object, this.carried.get(d.object) ?? this.steps.length]));
    if (fresh.length === 0) {
      this.steps.push({ migration: m.id, direction, ok: true, durationMs });
      return actual;
    }
    const problem = direction === 'down' ? 'down-mismatch' : 'reup-mismatch';
    this.steps.push({
      migration: m.id,
      direction,
      ok: false,
      durationMs,
      problem,
      differences: fresh,
      ...(note ? { note } : {}),
    });
    return actual;
  }

  /** Applies one script; its duration, or null after recording the failed step. */
  private async runScript(m: Migration, direction: DryRunDirection): Promise<number | null> {
    const down = direction === 'down';
    const started = performance.now();
    const outcome = await runShadowScript(
      this.db,
      down ? m.downPath! : m.upPath,
      this.scripts.get(down ? m.down! : m.up),
    );
    const durationMs = performance.now() - started;
    for (const at of outcome.rewritten) this.rewritten.set(`${at.file}:${at.line}:${at.col}`, at);
    if (outcome.ok) return durationMs;
    const note = this.earlierMismatch();
    this.steps.push({
      migration: m.id,
      direction,
      ok: false,
      durationMs,
      problem: 'error',
      error: outcome.error,
      ...(note ? { note } : {}),
    });
    return null;
  }

  private earlierMismatch(): string | null {
    if (this.carried.size === 0) return null;
    const steps = [...new Set(this.carried.values())]
      .sort((a, b) => a - b)
      .map((i) => `${this.steps[i]!.direction} ${this.steps[i]!.migration}`)
      .join(', ');
    return (
      `the schema already differed after ${steps} ` +
      `(${[...this.carried.keys()].slice(0, 3).join(', ')}${this.carried.size > 3 ? ', …' : ''}); this may follow ` +
      `from that`
    );
  }

  notes(): string[] {
    const notes = [...this.extraNotes];
    const rewritten = [...this.rewritten.values()];
    if (rewritten.length > 0) {
      const where = rewritten
        .slice(0, 5)
        .map((at) => `${at.file}:${at.line}`)
        .join(', ');
      const more = rewritten.length > 5 ? `, and ${rewritten.length - 5} more` : '';
      notes.push(
        `${rewritten.length} statement(s) with CONCURRENTLY ran without it on the shadow database (a single PGlite ` +
          `backend cannot build concurrently; the schema is the same): ${where}${more}`,
      );
    }
    return notes;
  }
}
