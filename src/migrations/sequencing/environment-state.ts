/**
 * Where an environment's database stands against the migrations of the newest release of the database's service:
 * applied (with the release and deployment that applied each, and how long it took), pending, drift, the lint
 * findings of the pending ones, and which contract migrations wait for which live releases to be gone. Read-only
 * (the dashboard's Migrations view, GET /api/v1/projects/:project/migrations).
 */
import path from 'node:path';
import type { ProjectConfig } from '../../config/model.js';
import { messageOf } from '../../shared/errors.js';
import type { Queryable } from '../../store/db.js';
import { listReleases } from '../../store/repos/releases.js';
import { listServiceStates } from '../../store/repos/service-state.js';
import { getRelease } from '../../store/repos/releases.js';
import { parsePostgresUrl } from '../../store/postgres-address.js';
import { databaseConfigOf, databaseUrlFor, environmentsSharingDatabase, migrationsDirFor } from '../database.js';
import { loadMigrations } from '../files.js';
import { preflight } from '../preflight.js';
import { lastApplied, type MigrationState, migrationStatus } from '../runner/status.js';
import { contractBlockers, type LiveRelease } from './blockers.js';
import { liveReleases } from './live-releases.js';

export interface MigrationRow {
  version: number;
  id: string;
  phase: 'expand' | 'contract' | null;
  state: MigrationState;
  checksum: string;
  checksumOk: boolean;
  appliedAt: string | null;
  release: string | null;
  deploymentId: string | null;
  durationMs: number | null;
  statementsDone: number | null;
  file: string | null;
}

export interface ContractWait {
  migration: string;
  /** The first release that no longer needs the old schema (`after=`, or the release that ships it). */
  after: string;
  state: 'waiting' | 'ready';
  blockers: LiveRelease[];
}

export interface LintNote {
  migration: string;
  file: string;
  line: number;
  col: number;
  rule: string;
  class: string;
  level: 'error' | 'warning';
  message: string;
  safeAlternative: string;
  allowedBecause: string | null;
}

export interface EnvironmentMigrations {
  name: string;
  /** host:port/database, never credentials. */
  database: string | null;
  stable: string | null;
  /** The newest release of the database's service: its migration files are compared with the database. */
  newest: string | null;
  /** Why the rest could not be read (no such variable, the database unreachable, no migrations directory). */
  error: string | null;
  migrations: MigrationRow[];
  contracts: ContractWait[];
  findings: LintNote[];
}

/** The deployment of `service` to `environment` that moved it to each release version (the newest before `at`). */
async function deploymentsByRelease(db: Queryable, project: string, service: string, environment: string) {
  const { rows } = await db.query(
    `select d.id, r.version, d.created_at from deployments d join releases r on r.id = d.to_release
      where d.project = $1 and d.service = $2 and d.environment = $3 order by d.created_at`,
    [project, service, environment],
  );
  return (version: string | null, at: Date | undefined): string | null => {
    if (!version) return null;
    let found: string | null = null;
    for (const r of rows)
      if (r.version === version && (!at || (r.created_at as Date).getTime() <= at.getTime())) found = String(r.id);
    return found;
  };
}

/** The migration state of one environment; a failure to read it is in `error`, never thrown. */
export async function environmentMigrations(
  db: Queryable,
  config: ProjectConfig,
  environment: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<EnvironmentMigrations> {
  const database = databaseConfigOf(config);
  const service = database.service;
  const [states, releases] = await Promise.all([
    listServiceStates(db, config.project),
    listReleases(db, config.project, service, 1),
  ]);
  const state = states.find((s) => s.environment === environment && s.service === service);
  const stable = state?.stableRelease ? ((await getRelease(db, state.stableRelease))?.version ?? null) : null;
  const newest = releases[0]?.version ?? null;
  const out: EnvironmentMigrations = {
    name: environment,
    database: null,
    stable,
    newest,
    error: null,
    migrations: [],
    contracts: [],
    findings: [],
  };
  const shown = (file: string) => path.relative(config.baseDir, file) || file;
  try {
    const url = databaseUrlFor(config, environment, env);
    out.database = parsePostgresUrl(url).display;
    if (!newest) {
      out.error = `no release of ${service} yet: its migration files are read from the release's directory`;
      return out;
    }
    const migrations = loadMigrations(migrationsDirFor(database, newest));
    const [rows, deploymentOf] = await Promise.all([
      migrationStatus({ url, migrations }),
      deploymentsByRelease(db, config.project, service, environment),
    ]);
    const phaseOf = new Map(migrations.map((m) => [m.version, m.phase]));
    out.migrations = rows.map((r) => ({
      version: r.version,
      id: r.id,
      phase: phaseOf.get(r.version) ?? null,
      state: r.state,
      checksum: r.checksum,
      checksumOk: r.checksumOk,
      appliedAt: r.appliedAt ? new Date(r.appliedAt).toISOString() : null,
      release: r.release ?? null,
      deploymentId: deploymentOf(r.release ?? null, r.appliedAt ? new Date(r.appliedAt) : undefined),
      durationMs: r.durationMs ?? null,
      statementsDone: r.statementsDone ?? null,
      file: r.file ? shown(r.file) : null,
    }));
    const through = lastApplied(rows);
    const pending = migrations.filter((m) => rows.some((r) => r.version === m.version && r.state === 'pending'));
    const contracts = pending.filter((m) => m.phase === 'contract');
    if (contracts.length > 0) {
      const live = await liveReleases(
        db,
        config.project,
        service,
        environmentsSharingDatabase(config, environment, env),
      );
      out.contracts = contracts.map((m) => {
        const blockers = contractBlockers(m, newest, live);
        return {
          migration: m.id,
          after: m.after ?? newest,
          state: blockers.length > 0 ? 'waiting' : 'ready',
          blockers,
        };
      });
    }
    if (pending.length > 0) {
      const pre = await preflight(migrations, through, { lockTimeoutSet: true, dryRun: false });
      for (const [i, report] of pre.lint.entries()) {
        const migration = pre.pending[i]!.id;
        if (report.parseError) {
          const e = report.parseError;
          out.findings.push({
            migration,
            file: shown(e.file),
            line: e.line,
            col: e.col,
            rule: 'parse-error',
            class: 'breaking',
            level: 'error',
            message: e.message,
            safeAlternative: 'fix the SQL so PostgreSQL can parse it',
            allowedBecause: null,
          });
        }
        for (const s of report.statements)
          for (const f of s.findings)
            out.findings.push({
              migration,
              file: shown(f.file),
              line: f.line,
              col: f.col,
              rule: f.rule,
              class: f.class,
              level: f.level,
              message: f.message,
              safeAlternative: f.safeAlternative,
              allowedBecause: f.allowedBecause,
            });
      }
    }
  } catch (e) {
    out.error = messageOf(e);
  }
  return out;
}
