import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelopeOf, sentryEvent } from '../../../../test/support/sentry-envelopes.js';
import { freshDb } from '../../../../test/support/store.js';
import { parseConfig } from '../../../config/load.js';
import { ConfigError } from '../../../config/errors.js';
import type { ProjectConfig } from '../../../config/model.js';
import { silentLogger } from '../../../shared/logging.js';
import type { Db } from '../../../store/db.js';
import { listIssues, setIssueStatus } from '../../../store/repos/error-issues.js';
import { ErrorIngest } from '../../errors/error-ingest.js';
import { ensureDsnKey } from '../../errors/dsn.js';
import { observe } from '../observations.js';
import type { AlertTarget } from '../reader.js';
import { rulesFor } from '../rules.js';
import { ErrorsReader } from './errors-reader.js';

/** The error alert rules on what real envelopes stored: new and regressed issues, events and users in a window. */
const base =
  'project: harbor\nenvironments: { production: { listen: 127.0.0.1:8081 } }\nservices: { api: { command: node } }\n';
const options = { file: 'slipway.yaml', baseDir: '/srv/p' };
const target = (release: string): AlertTarget => ({
  project: 'harbor',
  environment: 'production',
  service: 'api',
  release,
  releaseId: `rel-${release}`,
  liveSince: Date.now() - 60_000,
});

let db: Db;
let ingest: ErrorIngest;
let config: ProjectConfig = parseConfig(base, options);
const send = async (items: [string, unknown][]) => {
  const key = await ensureDsnKey(db, 'harbor', 'production');
  await ingest.ingest(key, envelopeOf(items), undefined, 'envelope');
  await ingest.flush();
};
const session = (did: string, release: string) => [
  'session',
  { sid: crypto.randomUUID(), did, status: 'ok', started: new Date().toISOString(), attrs: { release } },
];
const reader = (now?: number) =>
  new ErrorsReader({ db, configOf: async () => config, ...(now !== undefined ? { now: () => now } : {}) });
const byName = async (release: string, now?: number) => {
  const readings = await reader(now).read(target(release));
  return (name: string) => readings.filter((r) => r.name === name);
};

beforeAll(async () => {
  db = await freshDb();
  ingest = new ErrorIngest({ db, logger: silentLogger });
}, 60_000);
afterAll(async () => {
  await ingest?.close();
  await db?.close();
});

describe('error alert rules', () => {
  it('a new issue in the live release, the events and the share of users in the window', async () => {
    const bug = { type: 'QuoteError', value: 'no rate for port', frames: ['main', 'rate'], release: '2.0.0' };
    await send([['event', sentryEvent({ ...bug, user: 'ana' })]]);
    await send([['event', sentryEvent({ ...bug, user: 'ana' })]]);
    let read = await byName('2.0.0');
    // No SDK sessions yet: nobody knows how many users there are.
    expect(read('error_users_share')[0]).toMatchObject({ phase: 'nodata' });
    for (const user of ['ana', 'ben', 'cy', 'dee']) await send([session(user, '2.0.0') as [string, unknown]]);
    read = await byName('2.0.0');
    const [issue] = await listIssues(db, { project: 'harbor', environments: '*' });
    expect(read('error_issue_new')).toEqual([
      expect.objectContaining({ phase: 'ok', value: 1, labels: { issue: issue!.id } }),
    ]);
    expect(read('error_events')[0]).toMatchObject({ phase: 'ok', value: 2 });
    expect(read('error_users_share')[0]).toMatchObject({ phase: 'ok', value: 0.25 });

    // The default rules: 25 % of users is above 5 % (critical); 2 events are not above 100.
    const observed = observe(
      rulesFor(config.environments[0]!.alerts),
      (await reader().read(target('2.0.0'))).map((reading) => ({ target: target('2.0.0'), reading })),
    );
    const breached = observed.filter((o) => o.seen.breached).map((o) => `${o.rule.name}/${o.rule.severity}`);
    expect(breached.sort()).toEqual(['error-new-issue/warning', 'error-users-share/critical']);

    // Another release knows nothing of it; an hour later the window is empty.
    expect((await byName('1.0.0'))('error_issue_new')).toEqual([]);
    const later = await byName('2.0.0', Date.now() + 2 * 3_600_000);
    expect(later('error_events')[0]).toMatchObject({ value: 0 });
  });

  it('a resolved issue seen again is regressed in the release that brought it back, not new', async () => {
    const bug = { type: 'LedgerError', value: 'ledger lag', frames: ['main', 'ledger'] };
    await send([['event', sentryEvent({ ...bug, release: '1.0.0' })]]);
    const issue = (await listIssues(db, { project: 'harbor', environments: '*' })).find((i) =>
      i.title.startsWith('LedgerError'),
    )!;
    await setIssueStatus(db, issue.id, 'resolved');
    await send([['event', sentryEvent({ ...bug, release: '2.1.0' })]]);
    const read = await byName('2.1.0');
    expect(read('error_issue_regressed')).toEqual([expect.objectContaining({ labels: { issue: issue.id } })]);
    expect(read('error_issue_new')).toEqual([]);
  });

  it('auth error events: a spike of them fires auth-failures, as 401/403 at the proxy do', async () => {
    const release = '3.0.0';
    const auth = [
      { type: 'UnauthorizedError', value: 'No authorization token was found' }, // express-jwt, http-errors
      { type: 'TokenExpiredError', value: 'jwt expired' }, // jsonwebtoken
      { type: 'PermissionDenied', value: 'You do not have permission' }, // Django REST framework
      { type: 'HTTPException', value: '401: Not authenticated' }, // FastAPI / Starlette
      { type: 'ExpiredSignatureError', value: 'Signature has expired' }, // PyJWT
      { type: 'AuthenticationError', value: 'Invalid API Key provided' }, // stripe, openai
    ];
    const notAuth = [
      { type: 'HTTPException', value: '404: Not Found' },
      { type: 'PermissionError', value: "[Errno 13] Permission denied: '/srv/cache'" }, // a file, not a user
      { type: 'OAuthConfigError', value: 'missing client id' },
      { type: 'TypeError', value: 'token is undefined' },
    ];
    for (const e of [...auth, ...notAuth]) await send([['event', sentryEvent({ ...e, release, frames: [e.type] })]]);
    const [reading] = (await byName(release))('auth_error_events');
    expect(reading).toMatchObject({ phase: 'ok', labels: { source: 'sdk' }, value: 6, baseline: 1 });

    // 6 events against a quiet past (at least 1 per 5 min) is above 5× the baseline: the critical rule breaches.
    const observed = observe(
      rulesFor(config.environments[0]!.alerts),
      (await reader().read(target(release))).map((r) => ({ target: target(release), reading: r })),
    );
    expect(observed.filter((o) => o.seen.breached && o.rule.name === 'auth-failures')).toEqual([
      expect.objectContaining({
        identity: expect.objectContaining({ labels: expect.objectContaining({ source: 'sdk', service: 'api' }) }),
        seen: { breached: true, value: 6, threshold: 5 },
      }),
    ]);
    // Ten minutes on the window is empty; the 6 are the hour before: 0.5 per 5 min, the baseline's floor of 1 holds.
    const inAnHour = await byName(release, Date.now() + 10 * 60_000);
    expect(inAnHour('auth_error_events')[0]).toMatchObject({ value: 0, baseline: 1 });

    // An environment lists its own (replacing the default), or none.
    const withAuthErrors = (list: string) =>
      parseConfig(
        base.replace('listen: 127.0.0.1:8081', `listen: 127.0.0.1:8081, alerts: { authErrors: ${list} }`),
        options,
      );
    config = withAuthErrors('[builtins.PermissionError, "HTTPException: 404"]');
    expect((await byName(release))('auth_error_events')[0]).toMatchObject({ value: 2 });
    config = withAuthErrors('[]');
    expect((await byName(release))('auth_error_events')).toEqual([]);
    config = parseConfig(base, options);
    try {
      withAuthErrors('[AuthError, "not a type", "HTTPException:401"]');
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const issues = (e as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
      expect(issues).toEqual([
        expect.stringMatching(/^environments\.production\.alerts\.authErrors\[1\]: expected an exception type/),
        expect.stringMatching(/^environments\.production\.alerts\.authErrors\[2\]: expected an exception type/),
      ]);
    }
  });

  it('window and threshold are configured per rule; a window where none is counted is refused', () => {
    config = parseConfig(
      base.replace(
        'listen: 127.0.0.1:8081',
        'listen: 127.0.0.1:8081, alerts: { rules: { error-events: { threshold: 1, window: 10m }, ' +
          'error-users-share: { threshold: 0.5 } } }',
      ),
      options,
    );
    const rules = rulesFor(config.environments[0]!.alerts);
    expect(rules.find((r) => r.name === 'error-events')).toMatchObject({ threshold: 1, windowMs: 600_000 });
    expect(rules.find((r) => r.name === 'error-users-share')).toMatchObject({ threshold: 0.5, windowMs: 3_600_000 });
    const bad = base.replace(
      'listen: 127.0.0.1:8081',
      'listen: 127.0.0.1:8081, alerts: { rules: { api-latency-p95: { window: 5m }, ' +
        'error-users-share: { threshold: 5 } } }',
    );
    try {
      parseConfig(bad, options);
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const issues = (e as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
      expect(issues).toEqual(
        expect.arrayContaining([
          expect.stringMatching(
            /^environments\.production\.alerts\.rules\.api-latency-p95\.window: .*counts no window/,
          ),
          expect.stringMatching(/^environments\.production\.alerts\.rules\.error-users-share\.threshold: a share/),
        ]),
      );
    }
  });
});
