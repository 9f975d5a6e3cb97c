import { describe, expect, it } from 'vitest';
import { renderUpcoming } from './render-upcoming.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: colour codes are what is removed
const plain = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');
const now = Date.parse('2026-12-05T19:00:00Z');

describe('slipway status: scheduled deployments to come', () => {
  it('says what goes where and when, or what it waits behind; nothing when none is pending', () => {
    const out = plain(
      renderUpcoming(
        [
          { id: 'sch_1', service: 'api', environment: 'production', version: '1.5.0', at: '2026-12-05T22:00:00.000Z' },
          {
            id: 'sch_2',
            service: 'web',
            environment: 'staging',
            version: '2.0.0',
            at: '2026-12-05T18:55:00.000Z',
            waiting: { behind: 'dep_9', since: '2026-12-05T18:55:00.000Z', until: '2026-12-05T19:55:00.000Z' },
          },
        ],
        now,
      ),
    );
    expect(out.split('\n')).toEqual([
      '',
      'scheduled',
      '  api 1.5.0 → production at 2026-12-05T22:00:00.000Z (in 3h00m)  sch_1',
      '  web 2.0.0 → staging waiting behind dep_9 (due 2026-12-05T18:55:00.000Z; ' +
        'gives up at 2026-12-05T19:55:00.000Z)  sch_2',
    ]);
    expect(renderUpcoming([], now)).toBe('');
  });
});
