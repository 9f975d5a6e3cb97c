import { describe, expect, it } from 'vitest';
import { checkAt } from './schedule-deploy.js';

describe('checkAt (deploy --at)', () => {
  it('takes next-window and ISO times with a time zone', () => {
    for (const at of [
      'next-window',
      '2026-12-08T10:00:00Z',
      '2026-12-08T10:00:00+01:00',
      '2026-12-08T10:00:00.5-05:00',
    ])
      expect(() => checkAt(at)).not.toThrow();
  });

  it('a time without a time zone is refused, naming --at and what to add', () => {
    expect(() => checkAt('2026-12-08T10:00:00')).toThrow(
      expect.objectContaining({
        code: 'invalid_input',
        message:
          '--at 2026-12-08T10:00:00: add a time zone, such as Z (UTC) or +01:00: 2026-12-08T10:00:00Z, or next-window',
      }),
    );
    expect(() => checkAt('tomorrow')).toThrow(/^--at tomorrow: expected an ISO time/);
  });
});
