import { afterEach, describe, expect, it } from 'vitest';
import type { ProjectConfig } from '../../config/model.js';
import { silentLogger } from '../../shared/logging.js';
import type { Db } from '../../store/db.js';
import { AlertService } from './alert-service.js';

/** The timer reads the projects only when a round is due, or 5 s after it last did: not every tick. */
let service: AlertService | undefined;
afterEach(async () => {
  await service?.close();
  service = undefined;
});

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the alert service when idle', () => {
  it('reads the projects when a round falls due or every 5 s, not at every tick', async () => {
    let now = 1_000_000;
    let reads = 0;
    const rounds: number[] = [];
    const config = {
      project: 'harbor',
      environments: [{ name: 'staging', alerts: { evaluateEveryMs: 2000 } }],
    } as unknown as ProjectConfig;
    service = new AlertService({
      db: {} as Db,
      events: { emit: async () => undefined },
      readers: [],
      logger: silentLogger,
      clock: { now: () => now, sleep: () => Promise.resolve() },
      projects: async () => {
        reads++;
        return [config];
      },
      tickMs: 5,
    });
    (service as unknown as { evaluator: { evaluate(): Promise<[]> } }).evaluator.evaluate = async () => {
      rounds.push(now);
      return [];
    };
    service.start();
    await wait(250); // many ticks, one round due
    expect([reads, rounds.length]).toEqual([1, 1]);
    now += 1500; // not yet due
    await wait(250);
    expect([reads, rounds.length]).toEqual([1, 1]);
    now += 500; // due: read and run
    await wait(250);
    expect([reads, rounds.length]).toEqual([2, 2]);

    config.environments[0]!.alerts!.evaluateEveryMs = 60_000;
    now += 2000; // due under the old interval: read, and the new one applies at once
    await wait(250);
    expect([reads, rounds.length]).toEqual([3, 2]);
    now += 5000; // no round due, but the config is read again after 5 s
    await wait(250);
    expect([reads, rounds.length]).toEqual([4, 2]);
  });
});
