import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachDriver } from '../../../test/support/drivers.js';
import { envelopeOf, sentryEvent } from '../../../test/support/sentry-envelopes.js';
import { silentLogger } from '../../shared/logging.js';
import { listIssues, setIssueStatus } from '../../store/repos/error-issues.js';
import { listEvents } from '../../store/repos/events.js';
import { ErrorIngest } from './error-ingest.js';
import { ensureDsnKey } from './dsn.js';
import { pruneEvents } from './retention.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Grouping, per-release counts, new and regressed issues, sessions and retention, on both store drivers. */
describeEachDriver('error digest', (getDb) => {
  let ingest: ErrorIngest;
  let send: (items: [string, unknown][], environment?: string) => Promise<void>;
  beforeEach(async () => {
    ingest = new ErrorIngest({ db: getDb(), logger: silentLogger });
    send = async (items, environment = 'production') => {
      const key = await ensureDsnKey(getDb(), 'harbor', environment);
      await ingest.ingest(key, envelopeOf(items), undefined, 'envelope');
      await ingest.flush();
    };
  });
  afterEach(() => ingest.close());
  const issues = (release?: string) => listIssues(getDb(), { project: 'harbor', environments: '*', release });

  it('the same bug in two releases is one issue; new in the first release only', async () => {
    const bug = {
      type: 'TypeError',
      value: "cannot read 'premium' of undefined\n    at price",
      frames: ['main', 'price'],
    };
    await send([['event', sentryEvent({ ...bug, release: '1.0.0', user: 'ana' })]]);
    await send([
      ['event', sentryEvent({ ...bug, release: '1.1.0', user: 'ben' })],
      ['event', sentryEvent({ ...bug, release: '1.1.0', user: 'ben' })],
    ]);
    await send([['event', sentryEvent({ ...bug, value: 'another message', release: '1.1.0' })]]);
    const [other, issue] = await issues();
    expect(issue).toMatchObject({
      title: "TypeError: cannot read 'premium' of undefined",
      events: 3,
      culprit: 'price (/srv/app/src/price.js:11)',
    });
    expect(other!.title).toBe('TypeError: another message');
    const byRelease = Object.fromEntries(issue!.counts.map((c) => [c.release, c]));
    expect(byRelease['1.0.0']).toMatchObject({ events: 1, users: 1, isNew: true });
    expect(byRelease['1.1.0']).toMatchObject({ events: 2, users: 1, isNew: false });
    const events = await listEvents(getDb(), { project: 'harbor' });
    expect(events.filter((e) => e.kind === 'error.issue.new').map((e) => e.data)).toEqual([
      { issue: issue!.id, title: issue!.title, release: '1.0.0', environment: 'production', count: 1 },
      { issue: other!.id, title: other!.title, release: '1.1.0', environment: 'production', count: 1 },
    ]);
  });

  it('a client fingerprint wins; {{ default }} in it stands for the default grouping', async () => {
    await send([
      ['event', sentryEvent({ type: 'DbError', fingerprint: ['database-down'] })],
      ['event', sentryEvent({ type: 'OtherError', fingerprint: ['database-down'] })],
      ['event', sentryEvent({ type: 'DbError', fingerprint: ['{{ default }}', 'tenant-a'] })],
      ['event', sentryEvent({ type: 'DbError', fingerprint: ['{{default}}', 'tenant-b'] })],
      ['event', sentryEvent({ type: 'DbError', fingerprint: ['{{ default }}', 'tenant-a'] })],
    ]);
    expect((await issues()).map((i) => i.events).sort()).toEqual([1, 2, 2]);
  });

  it('a resolved issue seen again is regressed, with an event; an ignored one stays ignored', async () => {
    await send([['event', sentryEvent({ type: 'LedgerError', release: '1.0.0' })]]);
    await send([['event', sentryEvent({ type: 'QuietError', release: '1.0.0' })]]);
    const [quiet, ledger] = await issues();
    await setIssueStatus(getDb(), ledger!.id, 'resolved', '1.0.0');
    await setIssueStatus(getDb(), quiet!.id, 'ignored');
    await send([
      ['event', sentryEvent({ type: 'LedgerError', release: '1.2.0' })],
      ['event', sentryEvent({ type: 'QuietError', release: '1.2.0' })],
    ]);
    const after = Object.fromEntries((await issues()).map((i) => [i.id, i]));
    expect(after[ledger!.id]).toMatchObject({ status: 'unresolved', regressedRelease: '1.2.0' });
    expect(after[quiet!.id]).toMatchObject({ status: 'ignored', regressedAt: undefined });
    const regressed = (await listEvents(getDb(), { project: 'harbor' })).filter(
      (e) => e.kind === 'error.issue.regressed',
    );
    expect(regressed.map((e) => e.data)).toEqual([
      {
        issue: ledger!.id,
        title: 'LedgerError: cannot read properties of undefined',
        release: '1.2.0',
        environment: 'production',
        count: 2,
      },
    ]);
  });

  it('text PostgreSQL refuses (NUL, lone surrogates) is stored escaped, not dropped', async () => {
    await send([['event', sentryEvent({ type: 'NulError', value: 'a\u0000b \ud800' })]]);
    const [issue] = await issues();
    expect(issue!.title).toBe('NulError: a\\u0000b \\ud800');
  });

  it('sessions: crash-free sessions and users per release', async () => {
    const { releaseHealth } = await import('./release-health.js');
    const started = new Date().toISOString();
    await send([
      ['session', { sid: 's1', did: 'u1', init: true, started, status: 'exited', attrs: { release: '2.0.0' } }],
      ['session', { sid: 's2', did: 'u2', init: true, started, status: 'ok', attrs: { release: '2.0.0' } }],
      ['session', { sid: 's2', did: 'u2', init: false, started, status: 'crashed', attrs: { release: '2.0.0' } }],
      ['sessions', { aggregates: [{ started, exited: 7, errored: 1, crashed: 0 }], attrs: { release: '2.0.0' } }],
    ]);
    const health = await releaseHealth(getDb(), { project: 'harbor', environments: '*', hours: 1 });
    expect(health.releases).toEqual([
      {
        release: '2.0.0',
        environment: 'production',
        sessions: 10,
        crashFreeSessions: 0.9,
        users: 2,
        crashFreeUsers: 0.5,
      },
    ]);
  });

  it('release health over time: one row per release and hour the sessions started in', async () => {
    const { releaseHealth } = await import('./release-health.js');
    const now = Date.now();
    const hourOf = (t: number) => new Date(Math.floor(t / 3_600_000) * 3_600_000).toISOString();
    const earlier = new Date(now - 2 * 3_600_000).toISOString();
    const started = new Date(now).toISOString();
    const attrs = { release: '3.0.0' };
    await send([
      ['session', { sid: 'a1', did: 'u1', init: true, started: earlier, status: 'exited', attrs }],
      ['session', { sid: 'a2', did: 'u2', init: true, started: earlier, status: 'crashed', attrs }],
      ['sessions', { aggregates: [{ started, exited: 4, crashed: 1 }], attrs }],
      ['session', { sid: 'a3', did: 'u3', init: true, started, status: 'exited', attrs }],
    ]);
    const health = await releaseHealth(getDb(), { project: 'harbor', environments: '*', release: '3.0.0', hours: 3 });
    const series = health.series.map(({ hour, sessions, crashed, users, crashedUsers }) => ({
      hour,
      sessions,
      crashed,
      users,
      crashedUsers,
    }));
    expect(series.sort((a, b) => a.hour.localeCompare(b.hour))).toEqual([
      { hour: hourOf(now - 2 * 3_600_000), sessions: 2, crashed: 1, users: 2, crashedUsers: 1 },
      { hour: hourOf(now), sessions: 6, crashed: 1, users: 1, crashedUsers: 0 },
    ]);
    // The last hour alone leaves the earlier sessions out of both the series and the totals.
    const lastHour = await releaseHealth(getDb(), { project: 'harbor', environments: '*', release: '3.0.0', hours: 1 });
    expect(lastHour.series.map((r) => r.hour)).toEqual([hourOf(now)]);
    expect(lastHour.releases[0]).toMatchObject({ sessions: 6, crashFreeSessions: 5 / 6, users: 1, crashFreeUsers: 1 });
  });

  it('a batch waits for more events until it is full, or until flush asks for it', async () => {
    const slow = new ErrorIngest({ db: getDb(), logger: silentLogger, batchEvents: 4, batchWaitMs: 60_000 });
    const key = await ensureDsnKey(getDb(), 'harbor', 'production');
    const stored = async (type: string) =>
      Number(
        (
          await getDb().query<{ n: number }>(
            `select count(*)::int as n from error_events e join error_issues i on i.id = e.issue_id
             where i.exception_type = $1`,
            [type],
          )
        ).rows[0]!.n,
      );
    try {
      const sendOne = (type: string) =>
        slow.ingest(key, envelopeOf([['event', sentryEvent({ type })]]), undefined, 'envelope');
      for (let i = 0; i < 4; i++) await sendOne('FullBatchError');
      // Full: stored without flush, long before the minute of batchWaitMs.
      const deadline = Date.now() + 10_000;
      while ((await stored('FullBatchError')) < 4 && Date.now() < deadline) await sleep(50);
      expect(await stored('FullBatchError')).toBe(4);
      await sendOne('LoneError');
      await sleep(300);
      expect(await stored('LoneError')).toBe(0); // waiting for three more
      const started = Date.now();
      await slow.flush();
      expect(await stored('LoneError')).toBe(1);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await slow.close();
    }
  });

  it('payloads (gzip already) are stored out of line without TOAST compression trying to shrink them', async () => {
    const { rows } = await getDb().query<{ storage: string }>(
      `select attstorage as storage from pg_attribute
       where attrelid = 'error_events'::regclass and attname = 'payload'`,
    );
    expect(rows.map((r) => r.storage)).toEqual(['e']);
  });

  it('retention keeps at most N events per project and none older than the age limit', async () => {
    await send(Array.from({ length: 6 }, () => ['event', sentryEvent({ type: 'ManyError' })] as [string, unknown]));
    await getDb().query(`update error_events set received_at = now() - interval '40 days' where event_id in
      (select event_id from error_events order by event_id limit 1)`);
    // Two more projects: one over the limit as much as harbor, one under it (its two newest events).
    const columns = 'event_id, issue_id, environment, release, level, unhandled, received_at, payload';
    await getDb().query(`insert into error_events (project, ${columns}) select 'dock', ${columns} from error_events`);
    await getDb().query(`insert into error_events (project, ${columns}) select 'quay', ${columns} from error_events
      where project = 'harbor' order by received_at desc, event_id desc limit 2`);
    const newest = await getDb().query<{ event_id: string }>(
      `select event_id from error_events where project = 'harbor' order by received_at desc, event_id desc limit 3`,
    );
    const removed = await pruneEvents(getDb(), { maxEventsPerProject: 3, maxAgeMs: 30 * 86_400_000 }, new Date());
    expect(removed).toBe(6);
    const left = await getDb().query<{ project: string; event_id: string }>(
      `select project, event_id from error_events order by project, received_at desc, event_id desc`,
    );
    const kept = (project: string) => left.rows.filter((r) => r.project === project).map((r) => r.event_id);
    expect(kept('harbor')).toEqual(newest.rows.map((r) => r.event_id));
    expect(kept('dock')).toEqual(kept('harbor'));
    expect(kept('quay')).toEqual(kept('harbor').slice(0, 2));
    // The issue keeps its counts: retention bounds the stored events, not what was seen.
    expect((await issues())[0]!.events).toBe(6);
  });
});
