import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type OpenTransaction, openTransaction } from '../../test/support/open-transaction.js';
import { assertPostgresReachable, type FreshPostgres, freshPostgres } from '../../test/support/store.js';
import { silentLogger } from '../shared/logging.js';
import { listIncidents } from '../store/repos/incidents.js';
import { IncidentFollower } from './follower.js';

let fresh: FreshPostgres | undefined;
let follower: IncidentFollower | undefined;
const open: OpenTransaction[] = [];
afterEach(async () => {
  await follower?.close();
  follower = undefined;
  for (const t of open.splice(0)) await t.close();
  await fresh?.drop();
  fresh = undefined;
});

const critical = (group: string, at?: Date) => ({
  kind: 'alert.firing',
  data: { rule: 'error-rate-high', severity: 'critical', groupKey: group },
  ...(at ? { at } : {}),
});

describe('the incident follower on PostgreSQL with concurrent writers', () => {
  beforeAll(assertPostgresReachable);

  it('opens the incident of an event whose lower id commits after a higher, older-looking one was read', async () => {
    fresh = await freshPostgres();
    follower = new IncidentFollower(fresh.db, silentLogger, { pollMs: 60_000 });
    await follower.start();
    const slow = await openTransaction(fresh.url);
    const fast = await openTransaction(fresh.url);
    open.push(slow, fast);
    const lower = await slow.insertEvent(critical('slow'));
    // `at` is its transaction's start: a long transaction's event looks old when it commits.
    const higher = await fast.insertEvent(critical('fast', new Date(Date.now() - 60_000)));
    expect(lower).toBeLessThan(higher);
    await fast.commit();
    await follower.poll();
    await slow.commit();
    // Other sessions on the shared test server may hold the snapshot's xmin back for a moment.
    const end = Date.now() + 10_000;
    const groups = async () => (await listIncidents(fresh!.db, { project: 'harbor' })).map((i) => i.alertGroup).sort();
    while ((await groups()).length < 2 && Date.now() < end) await follower.poll();
    expect(await groups()).toEqual(['fast', 'slow']);
  });
});
