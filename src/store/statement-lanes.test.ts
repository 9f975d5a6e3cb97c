import { describe, expect, it } from 'vitest';
import { StatementLanes } from './statement-lanes.js';

/** An operation that stays in flight until released, and records when it started. */
function held(started: string[], name: string) {
  let release!: () => void;
  const done = new Promise<void>((r) => {
    release = r;
  });
  return {
    operation: async () => {
      started.push(name);
      await done;
      return name;
    },
    release: () => release(),
  };
}

const turn = () => new Promise((r) => setImmediate(r));

describe('StatementLanes', () => {
  it('keeps one operation in flight and lets the foreground lane go first', async () => {
    const lanes = new StatementLanes();
    const started: string[] = [];
    const first = held(started, 'b0');
    const running = lanes.run('background', first.operation);
    const waiting = [1, 2, 3].map((i) => lanes.run('background', async () => void started.push(`b${i}`)));
    const step = lanes.run('foreground', async () => void started.push('step'));
    await turn();
    expect(started).toEqual(['b0']);
    expect(lanes.queued).toEqual({ deployment: 0, foreground: 1, background: 3 });
    first.release();
    await Promise.all([running, step, ...waiting]);
    expect(started).toEqual(['b0', 'step', 'b1', 'b2', 'b3']);
  });

  it('gives the background lane a turn while the foreground stays busy', async () => {
    const lanes = new StatementLanes(2);
    const started: string[] = [];
    const first = held(started, 'f0');
    const running = lanes.run('foreground', first.operation);
    const background = lanes.run('background', async () => void started.push('b'));
    const foreground = [1, 2, 3, 4].map((i) => lanes.run('foreground', async () => void started.push(`f${i}`)));
    first.release();
    await Promise.all([running, background, ...foreground]);
    // f0 and f1 ran while b waited: its turn comes before f2.
    expect(started).toEqual(['f0', 'f1', 'b', 'f2', 'f3', 'f4']);
  });

  it('passes results and failures through and frees the store after a failure', async () => {
    const lanes = new StatementLanes();
    await expect(lanes.run('foreground', async () => 42)).resolves.toBe(42);
    await expect(
      lanes.run('background', async () => {
        throw new Error('no such table');
      }),
    ).rejects.toThrow('no such table');
    const failing = lanes.run('foreground', () => Promise.reject(new Error('boom')));
    const after = lanes.run('background', async () => 'ran');
    await expect(failing).rejects.toThrow('boom');
    await expect(after).resolves.toBe('ran');
    expect(lanes.queued).toEqual({ deployment: 0, foreground: 0, background: 0 });
  });

  it('deferred: a foreground operation arriving while others settle on microtasks goes first', async () => {
    // As in PGlite's thread: requests arrive one message (one turn) at a time and each settles without a turn.
    const lanes = new StatementLanes(2, setImmediate);
    const started: string[] = [];
    const runs = [1, 2, 3].map((i) => lanes.run('background', async () => void started.push(`b${i}`)));
    await turn();
    const step = lanes.run('foreground', async () => void started.push('step'));
    await Promise.all([...runs, step]);
    expect(started.indexOf('step')).toBeLessThan(started.indexOf('b3'));
    expect(started).toHaveLength(4);
    // Without the deferral the three background operations run back to back before the step is queued.
    const eager = new StatementLanes();
    const order: string[] = [];
    const eagerRuns = [1, 2, 3].map((i) => eager.run('background', async () => void order.push(`b${i}`)));
    await turn();
    await Promise.all([...eagerRuns, eager.run('foreground', async () => void order.push('step'))]);
    expect(order).toEqual(['b1', 'b2', 'b3', 'step']);
  });

  it('holds the background lane back briefly after a foreground operation, for the next one of a step', async () => {
    for (const defer of [undefined, setImmediate]) {
      const lanes = new StatementLanes(2, defer, 50);
      const started: string[] = [];
      await lanes.run('foreground', async () => void started.push('emit'));
      const background = lanes.run('background', async () => void started.push('claim'));
      await turn();
      // The step's second statement comes after a round trip: it still goes before the waiting background one.
      const update = lanes.run('foreground', async () => void started.push('update'));
      await Promise.all([background, update]);
      expect(started).toEqual(['emit', 'update', 'claim']);
    }
  });

  it('lets the background lane go once the hold is over, or after the foreground had its turns', async () => {
    // A long hold and a wide margin: on a loaded machine a turn of the event loop can take tens of ms (the hold is
    // counted from the foreground operation's end, which a clock read after it missed by 8 ms in CI).
    const lanes = new StatementLanes(2, setImmediate, 1000);
    const t = performance.now();
    await lanes.run('foreground', async () => undefined);
    await lanes.run('background', async () => undefined);
    expect(performance.now() - t).toBeGreaterThanOrEqual(990);
    // Two foreground operations since the last background one: no hold, however recent they are.
    await lanes.run('foreground', async () => undefined);
    await lanes.run('foreground', async () => undefined);
    const u = performance.now();
    await lanes.run('background', async () => undefined);
    expect(performance.now() - u).toBeLessThan(500);
  });

  it('does not hold the background lane when no foreground operation ran lately', async () => {
    const lanes = new StatementLanes(2, setImmediate, 1000);
    const t = performance.now();
    await lanes.run('background', async () => undefined);
    await lanes.run('background', async () => undefined);
    expect(performance.now() - t).toBeLessThan(500);
  });

  it("runs a deployment's statements before the foreground's and the background's, without earning turns", async () => {
    for (const defer of [undefined, setImmediate]) {
      const lanes = new StatementLanes(2, defer);
      const started: string[] = [];
      const first = held(started, 'f0');
      const running = lanes.run('foreground', first.operation);
      await turn();
      const others = [
        lanes.run('background', async () => void started.push('claim')),
        lanes.run('foreground', async () => void started.push('f1')),
        lanes.run('foreground', async () => void started.push('f2')),
      ];
      const step = lanes.run('deployment', async () => void started.push('step'));
      await turn();
      expect(lanes.queued).toEqual({ deployment: 1, foreground: 2, background: 1 });
      first.release();
      await Promise.all([running, step, ...others]);
      // The step goes first; it does not count as a foreground turn, so the claim still comes after f0 and f1.
      expect(started).toEqual(['f0', 'step', 'f1', 'claim', 'f2']);
    }
  });

  it("holds the background lane after a deployment's statement even when the foreground had its turns", async () => {
    const lanes = new StatementLanes(2, setImmediate, 50);
    const started: string[] = [];
    await lanes.run('foreground', async () => void started.push('emit 1'));
    await lanes.run('foreground', async () => void started.push('emit 2'));
    await lanes.run('deployment', async () => void started.push('step event'));
    const background = lanes.run('background', async () => void started.push('claim'));
    await turn();
    // The step's second statement comes after a round trip: the background, owed a turn, still waits for it.
    const update = lanes.run('deployment', async () => void started.push('step update'));
    await Promise.all([background, update]);
    expect(started).toEqual(['emit 1', 'emit 2', 'step event', 'step update', 'claim']);
  });

  describe('an announced deployment write', () => {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

    it('goes before a background operation that would have started just before it', async () => {
      for (const defer of [undefined, setImmediate]) {
        const lanes = new StatementLanes(2, defer, 0, { beforeMs: 1000, afterMs: 1000, maxWaitMs: 10_000 });
        const started: string[] = [];
        lanes.expectDeployment(performance.now() + 100);
        const claim = lanes.run('background', async () => void started.push('claim'));
        await sleep(50);
        expect(started).toEqual([]);
        await lanes.run('deployment', async () => void started.push('step'));
        await claim;
        expect(started).toEqual(['step', 'claim']);
      }
    });

    it('holds the background no longer than `afterMs` past the time when no write comes', async () => {
      const lanes = new StatementLanes(2, setImmediate, 0, { beforeMs: 1000, afterMs: 100, maxWaitMs: 10_000 });
      const t = performance.now();
      lanes.expectDeployment(t + 100);
      await lanes.run('background', async () => undefined);
      // Held until the time plus afterMs (200 ms), not the 10 s the background could be made to wait.
      expect(performance.now() - t).toBeGreaterThanOrEqual(190);
      expect(performance.now() - t).toBeLessThan(5000);
    });

    it('holds a background operation twice `maxWaitMs` at most, however many writes are announced', async () => {
      const lanes = new StatementLanes(2, setImmediate, 0, { beforeMs: 60_000, afterMs: 60_000, maxWaitMs: 100 });
      const t = performance.now();
      for (let i = 1; i <= 10; i++) lanes.expectDeployment(t + i * 1000);
      await Promise.all([1, 2].map(() => lanes.run('background', async () => undefined)));
      // Each waited 200 ms at most: two of them, far less than the minute the announcements asked for.
      expect(performance.now() - t).toBeGreaterThanOrEqual(190);
      expect(performance.now() - t).toBeLessThan(5000);
    });

    it('lets a background operation that waited `maxWaitMs` go at the next announcement', async () => {
      // The deployment has just written and begun its next wait: the moment farthest from its next write.
      const lanes = new StatementLanes(2, setImmediate, 0, { beforeMs: 60_000, afterMs: 60_000, maxWaitMs: 1000 });
      const t = performance.now();
      lanes.expectDeployment(t + 30_000);
      const claim = lanes.run('background', async () => performance.now() - t);
      await sleep(1200);
      lanes.expectDeployment(performance.now() + 30_000);
      const startedAfter = await claim;
      // Not before its most, and not at twice it (2 s), where it would have gone without the announcement.
      expect(startedAfter).toBeGreaterThanOrEqual(1190);
      expect(startedAfter).toBeLessThan(1900);
    });

    it('lets a kind of statement that took little slip in before an announced write, not a long one', async () => {
      const lanes = new StatementLanes(2, setImmediate, 0, { beforeMs: 50, afterMs: 50, maxWaitMs: 5000 });
      await lanes.run('background', () => sleep(300), 'claim a batch');
      await lanes.run('background', async () => undefined, 'read the cursor');
      const t = performance.now();
      // 200 ms ahead: beyond `beforeMs`, but a claim as long as the last one would still be running then.
      lanes.expectDeployment(t + 200);
      const read = await lanes.run('background', async () => performance.now() - t, 'read the cursor');
      const claim = await lanes.run('background', async () => performance.now() - t, 'claim a batch');
      expect(read).toBeLessThan(150);
      expect(claim).toBeGreaterThanOrEqual(190);
    });

    it('still judges a kind long after many short runs of it in a row', async () => {
      const lanes = new StatementLanes(2, setImmediate, 0, { beforeMs: 50, afterMs: 50, maxWaitMs: 5000 });
      await lanes.run('background', () => sleep(300), 'end attempts');
      // Twenty small batches of the same statement: a guess cut by a tenth each run would be down to 36 ms.
      for (let i = 0; i < 20; i++) await lanes.run('background', async () => undefined, 'end attempts');
      const t = performance.now();
      lanes.expectDeployment(t + 200);
      const batch = await lanes.run('background', async () => performance.now() - t, 'end attempts');
      expect(batch).toBeGreaterThanOrEqual(190);
    });

    it('does not hold the background for a write announced far ahead, nor without a reserve', async () => {
      const far = new StatementLanes(2, setImmediate, 0, { beforeMs: 50, afterMs: 50, maxWaitMs: 60_000 });
      const none = new StatementLanes(2, setImmediate);
      const t = performance.now();
      far.expectDeployment(t + 30_000);
      none.expectDeployment(t + 10);
      await Promise.all([far.run('background', async () => undefined), none.run('background', async () => undefined)]);
      expect(performance.now() - t).toBeLessThan(5000);
    });

    it("holds the background after a deployment's statement until its next wait is announced", async () => {
      const reserve = { holdAfterDeploymentMs: 1000, beforeMs: 1, afterMs: 1, maxWaitMs: 60_000 };
      const lanes = new StatementLanes(2, setImmediate, 2, reserve);
      const started: string[] = [];
      await lanes.run('deployment', async () => void started.push('step event'));
      const t = performance.now();
      const claim = lanes.run('background', async () => {
        started.push('claim');
        return performance.now() - t;
      });
      // Longer than `holdMs` (2 ms): the step's next statement may still come.
      await sleep(100);
      expect(started).toEqual(['step event']);
      // The deployment begins its next wait (announced for a minute on): its step is over, the claim goes.
      lanes.expectDeployment(performance.now() + 60_000);
      expect(await claim).toBeLessThan(900);
      expect(started).toEqual(['step event', 'claim']);
    });

    it('holds the background twice `maxWaitMs` at most for deployment writes that announce no wait', async () => {
      const reserve = { holdAfterDeploymentMs: 1000, beforeMs: 1, afterMs: 1, maxWaitMs: 100 };
      const lanes = new StatementLanes(2, setImmediate, 2, reserve);
      let writing = true;
      // A deployment writing every 20 ms, well inside the hold after each of its statements.
      const deployment = (async () => {
        while (writing) {
          await lanes.run('deployment', async () => undefined);
          await sleep(20);
        }
      })();
      await sleep(30);
      const t = performance.now();
      const waited = await lanes.run('background', async () => performance.now() - t);
      writing = false;
      await deployment;
      expect(waited).toBeLessThan(900);
    });

    it('is met by the first deployment write after it, which frees the background', async () => {
      const lanes = new StatementLanes(2, setImmediate, 0, { beforeMs: 60_000, afterMs: 60_000, maxWaitMs: 60_000 });
      lanes.expectDeployment(performance.now() + 10);
      await lanes.run('deployment', async () => undefined);
      const t = performance.now();
      await lanes.run('background', async () => undefined);
      expect(performance.now() - t).toBeLessThan(5000);
    });
  });
});
