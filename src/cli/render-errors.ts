import { ago, bold, dim, red, table, yellow } from './output.js';

export interface IssueView {
  id: string;
  title: string;
  culprit: string | null;
  level: string;
  unhandled: boolean;
  status: string;
  firstSeen: string;
  lastSeen: string;
  firstRelease: string;
  events: number;
  users: number;
  newInRelease: boolean;
  regressed: boolean;
  regressedRelease: string | null;
  counts: { release: string; environment: string; events: number; users: number; lastSeen: string; new: boolean }[];
}

export interface LatestView {
  eventId: string;
  environment: string;
  release: string;
  receivedAt: string;
  level: string | null;
  message: string | null;
  exceptions: {
    type: string | null;
    value: string | null;
    handled: boolean | null;
    frames: { function: string | null; filename: string | null; lineno: number | null; inApp: boolean | null }[];
  }[];
  tags: Record<string, unknown>;
  sdk: string | null;
}

const flags = (i: IssueView) =>
  [i.unhandled ? red('unhandled') : '', i.newInRelease ? yellow('new') : '', i.regressed ? red('regressed') : '']
    .filter(Boolean)
    .join(' ');

/** `slipway errors`: one line per issue. */
export function renderIssues(issues: IssueView[], now = Date.now()): string {
  if (issues.length === 0) return 'no issues\n';
  const rows = issues.map((i) => [
    i.id,
    String(i.events),
    String(i.users),
    ago(i.lastSeen, now),
    i.status,
    flags(i),
    i.title.length > 70 ? `${i.title.slice(0, 69)}…` : i.title,
  ]);
  return `${table(['ISSUE', 'EVENTS', 'USERS', 'LAST SEEN', 'STATUS', '', 'TITLE'], rows)}\n`;
}

/** `slipway errors show`: the issue, its counts per release and environment, and the latest event's stack. */
export function renderIssue(i: IssueView, latest: LatestView | null, now = Date.now()): string {
  const lines = [
    `${bold(i.title)}  ${flags(i)}`,
    `${i.id} · ${i.status} · ${i.level} · first seen ${ago(i.firstSeen, now)} in ${i.firstRelease} · last seen ` +
      `${ago(i.lastSeen, now)}${i.regressedRelease ? ` · regressed in ${i.regressedRelease}` : ''}`,
    i.culprit ? `in ${i.culprit}` : '',
    '',
    table(
      ['RELEASE', 'ENVIRONMENT', 'EVENTS', 'USERS', 'LAST SEEN', ''],
      i.counts.map((c) => [
        c.release,
        c.environment,
        String(c.events),
        String(c.users),
        ago(c.lastSeen, now),
        c.new ? 'new' : '',
      ]),
    ),
  ];
  if (latest) {
    lines.push(
      '',
      bold(`latest event ${latest.eventId}`) +
        dim(` (${latest.release}, ${latest.environment}, ${ago(latest.receivedAt, now)})`),
    );
    if (latest.message) lines.push(latest.message);
    for (const x of latest.exceptions) {
      lines.push(`${x.type ?? 'Error'}: ${x.value ?? ''}${x.handled === false ? red(' (unhandled)') : ''}`);
      // Innermost frame first, as stack traces read.
      for (const f of [...x.frames].reverse()) {
        const where = `${f.filename ?? '?'}${f.lineno === null ? '' : `:${f.lineno}`}`;
        const text = `  at ${f.function ?? '<anonymous>'} (${where})`;
        lines.push(f.inApp === false ? dim(text) : text);
      }
    }
    const tags = Object.entries(latest.tags);
    if (tags.length > 0) lines.push('', `tags: ${tags.map(([k, v]) => `${k}=${String(v)}`).join(' ')}`);
  }
  return `${lines.join('\n')}\n`;
}

export interface HealthView {
  releases: {
    release: string;
    environment: string;
    sessions: number;
    crashFreeSessions: number | null;
    users: number;
    crashFreeUsers: number | null;
  }[];
}

const percent = (v: number | null) => (v === null ? '-' : `${(v * 100).toFixed(2)} %`);

/** `slipway errors health`: crash-free sessions and users per release and environment. */
export function renderHealth(view: HealthView): string {
  if (view.releases.length === 0) return 'no sessions reported\n';
  const rows = view.releases.map((r) => [
    r.release,
    r.environment,
    String(r.sessions),
    percent(r.crashFreeSessions),
    String(r.users),
    percent(r.crashFreeUsers),
  ]);
  return `${table(['RELEASE', 'ENVIRONMENT', 'SESSIONS', 'CRASH-FREE', 'USERS', 'CRASH-FREE USERS'], rows)}\n`;
}
