import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDriver } from '../../test/support/drivers.js';
import { migrate } from './migrate.js';
import { getDeployment } from './repos/deployments.js';
import { getProject } from './repos/projects.js';
import { defaultSchemaDir } from './schema-files.js';

/**
 * Deployments and project configs stored by the previous version (one `options` bag, canary plans
 * with an analysis index, configs without a version) read as the explicit model after the store
 * migrates: nothing in flight is lost by an upgrade.
 */
describeEachDriver(
  'deployment model upgrade',
  (getDb) => {
    let scratch: string;
    let before011: string;
    beforeAll(async () => {
      scratch = await mkdtemp(join(tmpdir(), 'slipway-model-upgrade-'));
      before011 = join(scratch, 'schema');
      await cp(fileURLToPath(defaultSchemaDir), before011, { recursive: true });
      for (const f of await readdir(before011)) if (f >= '011') await rm(join(before011, f));
    });
    afterAll(async () => {
      await rm(scratch, { recursive: true, force: true });
    });

    const canaryPlan = {
      strategy: 'canary',
      analysisUntilStep: 3,
      steps: [
        { kind: 'gates', phase: 'before' },
        { kind: 'scale', role: 'candidate', instances: 1 },
        { kind: 'setWeights', stable: 90, candidate: 10 },
        { kind: 'setWeights', stable: 0, candidate: 100 },
        { kind: 'promote' },
      ],
    };
    const settings = {
      instances: 2,
      health: { path: '/health', intervalMs: 1000, timeoutMs: 2000, healthyThreshold: 1, unhealthyThreshold: 3 },
      startTimeoutMs: 60000,
      drainTimeoutMs: 30000,
      strategyConfig: { type: 'blue-green', keepOldForMs: 0 },
    };

    it('splits options into settings, control and progress, and marks judged steps', async () => {
      const db = getDb();
      await migrate(db, { schemaDir: before011 });
      const oldConfig = {
        project: 'p',
        baseDir: '/srv/p',
        dataDir: '/srv/p/.slipway',
        environments: [{ name: 'staging', listen: '127.0.0.1:1', host: '127.0.0.1', port: 1 }],
        services: [],
      };
      await db.query(`insert into projects (name, config, digest) values ('p', $1, 'd')`, [JSON.stringify(oldConfig)]);
      await db.query(
        `insert into releases (id, project, service, version, spec, digest) values
         ('rel_1', 'p', 'web', '1.0.0', '{}', 'a'), ('rel_2', 'p', 'web', '2.0.0', '{}', 'b')`,
      );
      const insert = (id: string, state: string, plan: unknown, options: unknown) =>
        db.query(
          `insert into deployments (id, project, service, environment, kind, from_release, to_release, strategy, state,
             plan, options, created_at, started_at, updated_at)
           values ($1, 'p', 'web', $2, 'deploy', 'rel_1', 'rel_2', 'canary', $3, $4, $5,
             '2026-11-01T00:00:00Z', '2026-11-01T00:00:01Z', '2026-11-01T00:00:02Z')`,
          [id, id, state, JSON.stringify(plan), JSON.stringify(options)],
        );
      await insert('dep_abort', 'running', canaryPlan, {
        ...settings,
        trafficShifted: true,
        trafficShiftedAt: 1_700_000_000_000,
        abortRequested: { reason: 'judge', by: 'canary judge', outcome: 'rolled_back' },
        paused: { reason: 'p', at: 1 },
        inconclusive: 1,
        resumes: 2,
      });
      await insert('dep_promote', 'running', canaryPlan, {
        ...settings,
        promoteRequested: { by: 'tomas', at: 5 },
        trafficShifted: true,
      });
      await insert('dep_paused', 'running', canaryPlan, { ...settings, paused: { reason: 'held', by: 'dana', at: 7 } });
      await insert(
        'dep_back',
        'rolling_back',
        { strategy: 'rollback', steps: [{ kind: 'restoreStable' }] },
        {
          ...settings,
          migrationsApplied: ['0002'],
          revertMigrationsOnRollback: true,
          outcome: 'failed',
          forward: { plan: canaryPlan, step: 2 },
        },
      );

      expect((await migrate(db)).applied.map((m) => m.name)).toContain('deployment_model');

      const aborted = (await getDeployment(db, 'dep_abort'))!;
      expect(aborted.settings).toEqual(settings);
      expect(aborted.control).toEqual({
        kind: 'abort',
        reason: 'judge',
        by: 'canary judge',
        outcome: 'rolled_back',
        at: Date.parse('2026-11-01T00:00:02Z'),
      });
      expect(aborted.progress).toEqual({ trafficShiftedAt: 1_700_000_000_000, inconclusive: 1, migrationsApplied: [] });
      expect(aborted.plan).toEqual({
        strategy: 'canary',
        steps: [
          { kind: 'gates', phase: 'before', judged: true },
          { kind: 'scale', role: 'candidate', instances: 1, judged: true },
          { kind: 'setWeights', stable: 90, candidate: 10, judged: true },
          { kind: 'setWeights', stable: 0, candidate: 100 },
          { kind: 'promote' },
        ],
      });

      const promoted = (await getDeployment(db, 'dep_promote'))!;
      expect(promoted.control).toEqual({ kind: 'promote', by: 'tomas', at: 5 });
      // trafficShifted without a time: the deployment's start stands in for it.
      expect(promoted.progress.trafficShiftedAt).toBe(Date.parse('2026-11-01T00:00:01Z'));

      expect((await getDeployment(db, 'dep_paused'))!.control).toEqual({
        kind: 'pause',
        reason: 'held',
        by: 'dana',
        at: 7,
      });
      expect((await getDeployment(db, 'dep_paused'))!.progress).toEqual({ inconclusive: 0, migrationsApplied: [] });

      const back = (await getDeployment(db, 'dep_back'))!;
      expect(back.settings.revertMigrationsOnRollback).toBe(true);
      expect(back.control).toEqual({ kind: 'none' });
      expect(back.progress).toMatchObject({ outcome: 'failed', migrationsApplied: ['0002'], forward: { step: 2 } });

      // The version-1 config gains what later versions always have.
      const project = (await getProject(db, 'p'))!;
      expect(project.config.environments[0]).toMatchObject({ requires: [], soakMs: 0, freezes: [] });
    });
  },
  { migrated: false },
);
