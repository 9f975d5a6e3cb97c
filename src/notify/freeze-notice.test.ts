import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendEvent, listEvents } from '../store/repos/events.js';
import type { Db } from '../store/db.js';
import { upsertProject } from '../store/repos/projects.js';
import { rawConfig } from '../../test/support/config.js';
import { freshDb } from '../../test/support/store.js';
import { validateConfigObject } from '../config/validate.js';
import { announceFreezes } from './freeze-notice.js';

let db: Db;
beforeEach(async () => {
  db = await freshDb();
  const raw = rawConfig();
  raw.project = 'harbor';
  raw.environments.production.freezes = [
    { from: '2026-12-20T00:00:00Z', until: '2027-01-04T00:00:00Z', message: 'holiday freeze' },
  ];
  raw.notifications = { freezeNotice: '2h' };
  const config = validateConfigObject(raw, { baseDir: '/srv/app' });
  await upsertProject(db, 'harbor', config, 'd1');
});
afterEach(() => db.close());

describe('announceFreezes', () => {
  it('records freeze.starting once, within freezeNotice of the start', async () => {
    const emit = (e: Parameters<typeof appendEvent>[1]) => appendEvent(db, e);
    expect(await announceFreezes(db, emit, new Date('2026-12-19T21:00:00Z'))).toBe(0); // 3 h before
    expect(await announceFreezes(db, emit, new Date('2026-12-19T22:30:00Z'))).toBe(1);
    expect(await announceFreezes(db, emit, new Date('2026-12-19T23:00:00Z'))).toBe(0); // already announced
    const [event] = (await listEvents(db)).filter((e) => e.kind === 'freeze.starting');
    expect(event).toMatchObject({
      project: 'harbor',
      environment: 'production',
      data: {
        startsAt: '2026-12-20T00:00:00.000Z',
        endsAt: '2027-01-04T00:00:00.000Z',
        freezeMessage: 'holiday freeze',
      },
    });
  });
});
