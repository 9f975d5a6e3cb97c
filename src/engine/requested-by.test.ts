import { afterEach, expect, it } from 'vitest';
import { engineHarness, type Harness } from '../../test/support/engine-harness.js';
import { listEvents } from '../store/repos/events.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

it('a deployment names who asked after a comma: a name with brackets of its own does not nest them', async () => {
  h = await engineHarness();
  const request = { project: 'harbor', service: 'api', environment: 'staging', version: '1.0.0' };
  const d = await h.engine.deploy({ ...request, requestedBy: 'admin (scheduled)' });
  await h.waitFinished(d.id);
  const started = (await listEvents(h.db, { deploymentId: d.id })).find((e) => e.kind === 'deployment.started');
  expect(started?.message).toMatch(/ deployment of api to staging, requested by admin \(scheduled\)$/);
});
