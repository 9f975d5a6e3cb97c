import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertPostgresReachable } from '../../test/support/store.js';
import { engineHarness, type Harness } from '../../test/support/engine-harness.js';
import { finalStates } from '../model/deployment.js';
import type { DeploymentState } from '../model/deployment.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Reads a deployment's state and whether its `deployment.finished` is stored, in one statement (one snapshot), until
 * it is final; returns every final reading without the event. A stream of the deployment's events that found it final
 * ended there, so such a reading was a stream that ended without `deployment.finished` (a flaky api.test).
 */
async function watchFinish(harness: Harness, id: string): Promise<{ state: DeploymentState; event: boolean }[]> {
  const gaps: { state: DeploymentState; event: boolean }[] = [];
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
    const { rows } = await harness.db.query<{ state: DeploymentState; event: boolean }>(
      `select d.state, exists (select 1 from events e where e.deployment_id = d.id and e.kind = 'deployment.finished')
         as event
         from deployments d where d.id = $1`,
      [id],
    );
    const now = rows[0]!;
    if (finalStates.includes(now.state)) {
      if (!now.event) gaps.push(now);
      if (now.event) return gaps;
    }
    await sleep(2);
  }
  throw new Error(`deployment ${id} did not finish with its event within 10 s`);
}

/** Every event written outside a transaction is stored 60 ms late: the gap between a state and its event, if any,
 * is wide enough to be seen. */
function slowEventInserts(harness: Harness): void {
  const db = harness.db as { query: Harness['db']['query'] };
  const query = db.query.bind(harness.db);
  db.query = (async (sql: string, params?: unknown[]) => {
    if (/^\s*insert into events/i.test(sql)) await sleep(60);
    return query(sql, params);
  }) as typeof db.query;
}

for (const driver of ['pglite', 'postgres'] as const) {
  if (driver === 'postgres') beforeAll(assertPostgresReachable);
  describe(`a deployment's final state and its deployment.finished event [${driver}]`, () => {
    it('are stored together: no reader sees the state without the event (succeeded, then failed)', async () => {
      h = await engineHarness(undefined, driver);
      slowEventInserts(h);
      const first = await h.engine.deploy({ project: 'harbor', service: 'api', environment: 'staging', version: '1' });
      expect(await watchFinish(h, first.id)).toEqual([]);
      expect((await h.waitFinished(first.id)).state).toBe('succeeded');

      h.runtime.behaviour = (spec) => (spec.release === '2' ? 'failed' : 'healthy');
      const second = await h.engine.deploy({ project: 'harbor', service: 'api', environment: 'staging', version: '2' });
      expect(await watchFinish(h, second.id)).toEqual([]);
      expect((await h.waitFinished(second.id)).state).toBe('failed');
    });
  });
}
