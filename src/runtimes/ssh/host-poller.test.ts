import { describe, expect, it } from 'vitest';
import type { Clock } from '../../shared/clock.js';
import { HostPoller } from './host-poller.js';

/** A host assumed down before its poller saw it fail (a restarted coordinator's adopt there failed). */

describe('a host poller told the host is down', () => {
  it('is down at once, without a lost event; seen (and up) as soon as the host answers', async () => {
    let answers = false;
    const polled: (() => void)[] = [];
    const clock: Clock = {
      now: () => 0,
      // Each poll waits for the test to let the next one happen.
      sleep: (_ms, signal) =>
        new Promise((resolve, reject) => {
          polled.push(() => resolve());
          signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
        }),
    };
    const events: string[] = [];
    const poller = new HostPoller(
      {
        label: 'deploy@10.0.0.5:22',
        status: async () => {
          if (!answers) throw new Error('connection refused');
        },
      },
      {
        clock,
        pollMs: 1000,
        downAfterMs: 0,
        events: { seen: () => events.push('seen'), lost: () => events.push('lost') },
      },
    );
    try {
      poller.assumeDown();
      expect(poller.down).toBe(true);
      await new Promise((r) => setTimeout(r, 10));
      expect(events).toEqual([]); // the failed poll reports nothing more: its instances were counted down already
      answers = true;
      polled.shift()!();
      await new Promise((r) => setTimeout(r, 10));
      expect(events).toEqual(['seen']);
      expect(poller.down).toBe(false);
    } finally {
      poller.stop();
    }
  });
});
