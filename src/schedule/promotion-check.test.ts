import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineHarness, type Harness } from '../../test/support/engine-harness.js';
import type { ProjectConfig } from '../config/model.js';
import { validateConfigObject } from '../config/validate.js';
import { isSlipwayError } from '../shared/errors.js';
import { checkPromotionAhead } from './promotion-check.js';

/** Promotion rules judged at scheduling: refused when they cannot be met by `at`, a warning when they may be. */
let h: Harness;
let config: ProjectConfig;
const hour = 3_600_000;

beforeAll(async () => {
  config = validateConfigObject(
    {
      project: 'harbor',
      environments: {
        staging: { listen: '127.0.0.1:18081' },
        production: { listen: '127.0.0.1:18082', requires: ['staging'], soak: '1h' },
      },
      services: {
        api: { command: 'node', args: ['server.js'], instances: 1, health: { interval: '50ms', startTimeout: '2s' } },
      },
    },
    { baseDir: '/srv/harbor' },
  );
  h = await engineHarness(config);
  h.runtime.behaviour = () => 'healthy';
  const d = await h.engine.deploy({ project: 'harbor', service: 'api', environment: 'staging', version: '2.0.0' });
  expect((await h.waitFinished(d.id)).state).toBe('succeeded');
  now = new Date();
}, 60_000);
afterAll(async () => {
  await h?.close();
});

// One `now` for the whole file (after staging's deployment), so a test can name the time it schedules at.
let now: Date;
const at = (inMs: number) => new Date(now.getTime() + inMs).toISOString();
const check = (version: string, inMs: number, environment = 'production') => {
  return checkPromotionAhead(
    h.db,
    config,
    { service: 'api', environment, version, runAt: new Date(now.getTime() + inMs) },
    now,
  );
};
const refusal = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    if (isSlipwayError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('not refused');
};

describe('checkPromotionAhead', () => {
  it('a release through staging whose soak ends before `at`: accepted, no warning', async () => {
    expect(await check('2.0.0', 2 * hour)).toEqual([]);
  });

  it('a soak that ends after `at`: refused with the immediate deploy’s words and when it is ready', async () => {
    const r = await refusal(check('2.0.0', hour / 2));
    expect(r.code).toBe('conflict');
    expect(r.message).toMatch(
      /^api 2\.0\.0 cannot go to production yet: api 2\.0\.0 has soaked in staging for \d+s of 60m /,
    );
    expect(r.message).toMatch(/ \(ready at (\S+), after \S+\); schedule it at \1 or later$/);
  });

  it('never deployed to staging: a warning when it may still soak by then, refused when it cannot', async () => {
    expect(await check('9.9.9', 24 * hour)).toEqual([
      'api 9.9.9 cannot go to production yet: api 9.9.9 has not been deployed successfully to staging yet; ' +
        `unless it is by ${at(24 * hour)}, the scheduled deployment will fail then`,
    ]);
    const r = await refusal(check('9.9.9', hour / 2));
    expect(r).toEqual({
      code: 'conflict',
      message:
        'api 9.9.9 cannot go to production yet: api 9.9.9 has not been deployed successfully to staging yet, ' +
        `and could not soak there 1h00m before ${at(hour / 2)}`,
    });
  });

  it('an environment without promotion rules: nothing to say', async () => {
    expect(await check('9.9.9', hour, 'staging')).toEqual([]);
  });
});
