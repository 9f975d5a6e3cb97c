import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedFailedDeployment, storeProject } from '../../test/support/notify-fixtures.js';
import { freshDb } from '../../test/support/store.js';
import type { Db } from '../store/db.js';
import { appendEvent, type NewEvent } from '../store/repos/events.js';
import { failedStepActor, rolledBackBy } from './rolled-back-by.js';
import { valuesOf } from './values.js';

let db: Db;
beforeEach(async () => {
  db = await freshDb();
  await storeProject(db, {});
  await seedFailedDeployment(db); // dep_1, started by dana
});
afterEach(async () => {
  await db.close();
});

const about = { project: 'harbor', deploymentId: 'dep_1', service: 'api', environment: 'production' };
const emit = (kind: string, data: Record<string, unknown>) =>
  appendEvent(db, { ...about, kind, message: kind, data } satisfies NewEvent);

describe('who rolled a deployment back', () => {
  it('the rolled-back message names the judge that rolled back, as the failed one does, not the deployer', async () => {
    const rollingBack = await emit('deployment.rolling_back', { reason: 'canary failed', by: 'canary judge' });
    const finished = await emit('deployment.finished', { state: 'rolled_back', reason: 'canary failed' });
    const link = 'http://127.0.0.1:7420';
    expect((await valuesOf(db, rollingBack, 'on-deployment-failed', link)).by).toBe('canary judge');
    expect((await valuesOf(db, finished, 'on-deployment-rolled-back', link)).by).toBe('canary judge');
  });

  it('a person who asked, or slipway after a failed step; other events are not about a rollback', async () => {
    await emit('deployment.rolling_back', { reason: 'rollback requested by erin', by: 'erin' });
    expect(await rolledBackBy(db, await emit('deployment.finished', { state: 'rolled_back' }))).toBe('erin');
    // The newest rollback before the end counts (one that failed and was retried names its own actor).
    await emit('deployment.rolling_back', { reason: 'instance unhealthy', outcome: 'failed' });
    const failed = await emit('deployment.finished', { state: 'failed' });
    expect(await rolledBackBy(db, failed)).toBe(failedStepActor);
    expect((await valuesOf(db, failed, 'on-deployment-failed', '')).by).toBe(failedStepActor);

    const succeeded = await emit('deployment.finished', { state: 'succeeded' });
    expect(await rolledBackBy(db, succeeded)).toBeUndefined();
    expect((await valuesOf(db, succeeded, 'on-deployment-succeeded', '')).by).toBe('dana');
  });
});
