import { describe, expect, it } from 'vitest';
import { backoffDelay, withRetries } from './retry.js';

describe('backoffDelay', () => {
  it('doubles per retry and adds at most 50% jitter', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, 250, () => 0))).toEqual([250, 500, 1000, 2000]);
    expect(backoffDelay(3, 250, () => 1)).toBe(1500);
    expect(backoffDelay(1, 100, () => 0.5)).toBe(125);
  });
});

describe('withRetries', () => {
  const noSleep = async () => undefined;

  it('retries a retryable failure until an attempt succeeds, announcing each retry', async () => {
    const retries: [number, number][] = [];
    const slept: number[] = [];
    const result = await withRetries(
      { attempts: 5, baseDelayMs: 10 },
      {
        retryable: () => true,
        onRetry: (n, ms) => retries.push([n, ms]),
        random: () => 0,
        sleep: async (ms) => void slept.push(ms),
      },
      async (n) => {
        if (n < 3) throw new Error(`attempt ${n}`);
        return n;
      },
    );
    expect(result).toBe(3);
    expect(retries).toEqual([
      [1, 10],
      [2, 20],
    ]);
    expect(slept).toEqual([10, 20]);
  });

  it('throws the last error once the attempts are used up', async () => {
    let calls = 0;
    const run = withRetries(
      { attempts: 2, baseDelayMs: 1 },
      { retryable: () => true, onRetry: () => undefined, sleep: noSleep },
      async () => {
        calls++;
        throw new Error(`failure ${calls}`);
      },
    );
    await expect(run).rejects.toThrow('failure 2');
    expect(calls).toBe(2);
  });

  it('does not retry a failure that is not retryable', async () => {
    let calls = 0;
    const run = withRetries(
      { attempts: 5, baseDelayMs: 1 },
      { retryable: () => false, onRetry: () => undefined, sleep: noSleep },
      async () => {
        calls++;
        throw new Error('syntax');
      },
    );
    await expect(run).rejects.toThrow('syntax');
    expect(calls).toBe(1);
  });
});
