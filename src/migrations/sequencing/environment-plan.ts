/**
 * The migration plan of one environment, as the Migrations view shows it (POST /api/v1/projects/:project/migrations/
 * plan): the pending migrations of the database service's newest release in the order they run, with their phase and
 * whether the deployment's expand step runs them or they wait (a contract, and what follows it), and what the shadow
 * dry run (src/migrations/planner/shadow.ts: up, down, up on a throwaway PGlite) says of them. The environment's
 * database is only read (its history table); nothing runs against it.
 */
import path from 'node:path';
import type { ProjectConfig } from '../../config/model.js';
import { messageOf } from '../../shared/errors.js';
import type { Queryable } from '../../store/db.js';
import { parsePostgresUrl } from '../../store/postgres-address.js';
import { listReleases } from '../../store/repos/releases.js';
import { databaseConfigOf, databaseUrlFor, migrationsDirFor } from '../database.js';
import { loadMigrations } from '../files.js';
import { describeDifference } from '../planner/diff.js';
import { describeStep, type DryRunDirection, type DryRunProblem } from '../planner/dry-run-report.js';
import { preflight } from '../preflight.js';
import { lastApplied, migrationStatus } from '../runner/status.js';

export interface PlannedMigration {
  version: number;
  id: string;
  phase: 'expand' | 'contract' | null;
  /** Contract only: the first release that no longer needs the old schema. */
  after: string | null;
  /** now: the expand step of the release's deployment runs it; waits: after a contract, once no live release needs
   * the old schema. */
  runs: 'now' | 'waits';
  file: string;
}

export interface PlannedStep {
  migration: string;
  direction: DryRunDirection;
  ok: boolean;
  durationMs: number;
  problem: DryRunProblem | null;
  /** What failed or differs (file:line, the schema objects), or for a successful up what it changed. */
  details: string[];
}

export interface EnvironmentPlan {
  environment: string;
  /** host:port/database, never credentials. */
  database: string | null;
  /** The release whose migration files are planned: the database service's newest. */
  release: string | null;
  appliedThrough: number;
  pending: PlannedMigration[];
  /** Lint and dry-run problems that would stop the expand step, as the deployment would say them. */
  problems: string[];
  dryRun: { ok: boolean; totalMs: number; notes: string[]; steps: PlannedStep[] } | null;
  /** Why there is no plan (the database unreachable, no release yet, no migrations directory). */
  error: string | null;
  plannedAt: string;
}

/** Plan one environment; a failure to read what is needed is in `error`, never thrown. */
export async function environmentPlan(
  db: Queryable,
  config: ProjectConfig,
  environment: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<EnvironmentPlan> {
  const database = databaseConfigOf(config);
  const out: EnvironmentPlan = {
    environment,
    database: null,
    release: null,
    appliedThrough: 0,
    pending: [],
    problems: [],
    dryRun: null,
    error: null,
    plannedAt: new Date().toISOString(),
  };
  const shown = (file: string) => path.relative(config.baseDir, file) || file;
  // Messages name files by absolute path; people read them relative to the project, as everywhere in the view.
  const relative = (line: string) => line.split(`${config.baseDir}${path.sep}`).join('');
  try {
    const url = databaseUrlFor(config, environment, env);
    out.database = parsePostgresUrl(url).display;
    out.release = (await listReleases(db, config.project, database.service, 1))[0]?.version ?? null;
    if (!out.release) {
      out.error = `no release of ${database.service} yet: its migration files are read from the release's directory`;
      return out;
    }
    const migrations = loadMigrations(migrationsDirFor(database, out.release));
    out.appliedThrough = lastApplied(await migrationStatus({ url, migrations }));
    const pre = await preflight(migrations, out.appliedThrough, { lockTimeoutSet: true });
    out.pending = pre.pending.map((m) => ({
      version: m.version,
      id: m.id,
      phase: m.phase,
      after: m.after,
      runs: pre.deferred.includes(m) ? 'waits' : 'now',
      file: shown(m.upPath),
    }));
    out.problems = pre.problems.map(relative);
    if (pre.dryRun)
      out.dryRun = {
        ok: pre.dryRun.ok,
        totalMs: Math.round(pre.dryRun.totalMs),
        notes: pre.dryRun.notes,
        steps: pre.dryRun.steps.map((s) => ({
          migration: s.migration,
          direction: s.direction,
          ok: s.ok,
          durationMs: Math.round(s.durationMs),
          problem: s.problem ?? null,
          details: [...describeStep(s).slice(1), ...(s.changes ?? []).map(describeDifference)].map((l) =>
            relative(l.trim()),
          ),
        })),
      };
  } catch (e) {
    out.error = messageOf(e);
  }
  return out;
}
