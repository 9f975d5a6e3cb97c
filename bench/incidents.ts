/**
 * npm run bench:incidents -- --json [--events N] [--trials N]
 *
 * How fast incidents follow the record, on the embedded store (PGlite in a temporary data
 * directory, migrated as the coordinator opens it):
 * - open latency: a critical `alert.firing` appended → its incident row exists, with the
 *   coordinator's follower polling every 500 ms (p50 / p99 over --trials, default 20);
 * - throughput: --events (default 5,000) events already in the store, 10 % of them critical alerts
 *   of 100 groups, the rest deployment noise → one follower pass, in events per second, and how many
 *   incidents it opened (must be 100: one per group);
 * - timeline read: an incident whose group has 1,000 alert events → `incident show`'s data, p50.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { IncidentFollower } from '../src/incidents/follower.js';
import { incidentTimeline } from '../src/incidents/view.js';
import { onExit } from '../src/shared/exit-cleanup.js';
import { silentLogger } from '../src/shared/logging.js';
import { openStore } from '../src/store/open.js';
import { appendEvent } from '../src/store/repos/events.js';
import { listIncidents } from '../src/store/repos/incidents.js';
import { machine, printResult, progress, refuse } from './support.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  return Number.isInteger(value) && value > 0 ? value : refuse(`--${name}: expected a whole number > 0`);
};
const eventCount = await arg('events', 5000);
const trials = await arg('trials', 20);

const dir = mkdtempSync(path.join(tmpdir(), 'slipway-bench-incidents-'));
const db = await openStore({ dataDir: dir });
onExit(async () => {
  await db.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! * 10) / 10;
};
const alert = (project: string, group: string, rule: string) => ({
  project,
  environment: 'staging',
  kind: 'alert.firing',
  message: `firing: ${rule}`,
  data: { rule, severity: 'critical', groupKey: group, labels: {}, value: 0.2, threshold: 0.05, startsAt: '' },
});

progress(`open latency: ${trials} critical alerts, follower polling every 500 ms`);
const follower = new IncidentFollower(db, silentLogger);
await follower.start();
const latencies: number[] = [];
for (let i = 0; i < trials; i++) {
  const started = performance.now();
  await appendEvent(db, alert('latency', `group-${i}`, 'error-rate-high'));
  for (;;) {
    const { rows } = await db.query('select 1 from incidents where project = $1 and alert_group = $2', [
      'latency',
      `group-${i}`,
    ]);
    if (rows.length) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  latencies.push(performance.now() - started);
  await new Promise((r) => setTimeout(r, Math.random() * 200)); // not in step with the poll
}
await follower.close();

progress(`throughput: ${eventCount} events, then one follower pass`);
for (let i = 0; i < eventCount; i++) {
  if (i % 10 === 0) await appendEvent(db, alert('throughput', `group-${(i / 10) % 100}`, `rule-${i % 7}`));
  else
    await appendEvent(db, {
      project: 'throughput',
      environment: 'staging',
      service: 'api',
      deploymentId: `dep_${Math.floor(i / 50)}`,
      kind: 'traffic.shifted',
      message: 'candidate at 10 %',
      data: {},
    });
}
const passer = new IncidentFollower(db, silentLogger, { pollMs: 3_600_000 });
const passStarted = performance.now();
await passer.poll();
const passMs = performance.now() - passStarted;
const opened = (await listIncidents(db, { project: 'throughput', limit: 500 })).length;

progress('timeline read: 1,000 alert events in one group');
for (let i = 0; i < 1000; i++) await appendEvent(db, alert('timeline', 'big', `rule-${i % 5}`));
await passer.poll();
const [big] = await listIncidents(db, { project: 'timeline' });
const reads: number[] = [];
for (let i = 0; i < 20; i++) {
  const started = performance.now();
  const view = await incidentTimeline(db, big!.id);
  reads.push(performance.now() - started);
  if (view.timeline.length < 1000) await refuse(`timeline has ${view.timeline.length} entries, expected ≥ 1000`);
}
await passer.close();

await printResult({
  benchmark: 'incidents',
  machine: machine(),
  store: db.driver,
  openLatencyMs: { trials, pollMs: 500, p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
  followerPass: {
    events: eventCount,
    ms: Math.round(passMs),
    eventsPerSecond: Math.round(eventCount / (passMs / 1000)),
    incidentsOpened: opened,
    expectedIncidents: 100,
  },
  timelineRead: { entries: 1001, p50Ms: percentile(reads, 50), p99Ms: percentile(reads, 99) },
});
