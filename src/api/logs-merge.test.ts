import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApi } from '../../test/support/api-harness.js';
import { engineHarness, type Harness } from '../../test/support/engine-harness.js';
import type { LogLine } from '../model/instance.js';
import type { LogOptions } from '../runtimes/runtime.js';
import { listInstances } from '../store/repos/instances.js';
import { ensureAdminToken, generateToken } from './auth.js';

/** A service's logs: every instance's history merged by time, then followed on from each one's last line. */
let h: Harness;
let app: FastifyInstance;
const admin = generateToken();
const calls: { id: string; options: LogOptions }[] = [];

beforeAll(async () => {
  h = await engineHarness();
  await ensureAdminToken(h.db, admin);
  await h.waitFinished(
    (await h.engine.deploy({ project: 'harbor', service: 'api', environment: 'staging', version: '1.0.0' })).id,
  );
  const [a, b] = (await listInstances(h.db, { project: 'harbor', environment: 'staging' })).map((i) => i.id).sort();
  // Two instances whose lines interleave in time; after a cursor, one more line each.
  const lines: Record<string, LogLine[]> = {
    [a!]: [
      { text: 'a-1', at: 1000, cursor: '10' },
      { text: 'a-3', at: 3000, cursor: '20' },
    ],
    [b!]: [
      { text: 'b-2', at: 2000, cursor: '10' },
      { text: 'b-4', at: 4000, cursor: '20' },
    ],
  };
  h.runtime.logs = async function* (id: string, options: LogOptions = {}) {
    calls.push({ id, options: { ...options, signal: undefined } });
    if (options.after === undefined) yield* lines[id]!;
    else if (options.follow) yield { text: `${id === a ? 'a' : 'b'}-live`, at: 5000, cursor: '30' };
  };
  app = await testApi(h);
}, 60_000);
afterAll(async () => {
  await app?.close();
  await h?.close();
});

const logs = async (query: string) =>
  (
    await app.inject({
      url: `/api/v1/projects/harbor/logs?service=api&environment=staging&${query}`,
      headers: { authorization: `Bearer ${admin}` },
    })
  ).body
    .trim()
    .split('\n')
    .map((l) => l.split(' | ')[1]);

describe('service logs', () => {
  it('merges the history of every instance by time, not instance by instance', async () => {
    expect(await logs('tail=10')).toEqual(['a-1', 'b-2', 'a-3', 'b-4']);
  });

  it('follows each instance on from the last line it gave: nothing missed, nothing twice', async () => {
    calls.length = 0;
    const out = await logs('tail=10&follow=true');
    expect(out.slice(0, 4)).toEqual(['a-1', 'b-2', 'a-3', 'b-4']);
    expect(out.slice(4).sort()).toEqual(['a-live', 'b-live']);
    expect(calls.filter((c) => c.options.follow).map((c) => c.options.after)).toEqual(['20', '20']);
  });

  it('with timestamps, each line starts with when it was written', async () => {
    const res = await app.inject({
      url: '/api/v1/projects/harbor/logs?service=api&environment=staging&tail=10&timestamps=true',
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(res.body.split('\n')[0]).toMatch(/^1970-01-01T00:00:01\.000Z ins_\w+ 1\.0\.0 \| a-1$/);
  });
});
