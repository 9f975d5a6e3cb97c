import { ago, bold, dim, painted, printable, red, table, yellow } from './output.js';

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
  const rows = issues.map((i) => {
    const title = printable(i.title);
    return [
      i.id,
      String(i.events),
      String(i.users),
      ago(i.lastSeen, now),
      i.status,
      painted(flags(i)),
      title.length > 70 ? `${title.slice(0, 69)}…` : title,
    ];
  });
  return `${table(['ISSUE', 'EVENTS', 'USERS', 'LAST SEEN', 'STATUS', '', 'TITLE'], rows)}\n`;
}

/** A tag's value as text: strings as they are, anything else (numbers, booleans, objects) as JSON. */
const tagText = (v: unknown) => printable(typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v)));

/**
 * `slipway errors show`: the issue, its counts per release and environment, and the latest event's stack and tags.
 * Everything an SDK sent is shown through printable(): anyone with the DSN (a browser app ships it) can send it.
 */
export function renderIssue(i: IssueView, latest: LatestView | null, now = Date.now()): string {
  const t = (s: string | null | undefined) => printable(s ?? '');
  const lines = [
    `${bold(t(i.title))}  ${flags(i)}`.trimEnd(),
    `${i.id} · ${i.status} · ${i.level} · first seen ${ago(i.firstSeen, now)} in ${t(i.firstRelease)} · last seen ` +
      `${ago(i.lastSeen, now)}${i.regressedRelease ? ` · regressed in ${t(i.regressedRelease)}` : ''}`,
    i.culprit ? `in ${t(i.culprit)}` : '',
    '',
    table(
      ['RELEASE', 'ENVIRONMENT', 'EVENTS', 'USERS', 'LAST SEEN', ''],
      i.counts.map((c) => [
        t(c.release),
        t(c.environment),
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
      bold(`latest event ${t(latest.eventId)}`) +
        dim(` (${t(latest.release)}, ${t(latest.environment)}, ${ago(latest.receivedAt, now)})`),
    );
    if (latest.message) lines.push(t(latest.message));
    for (const x of latest.exceptions) {
      lines.push(`${t(x.type ?? 'Error')}: ${t(x.value)}${x.handled === false ? red(' (unhandled)') : ''}`);
      // Innermost frame first, as stack traces read.
      for (const f of [...x.frames].reverse()) {
        const where = `${t(f.filename ?? '?')}${typeof f.lineno === 'number' ? `:${f.lineno}` : ''}`;
        const text = `  at ${t(f.function ?? '<anonymous>')} (${where})`;
        lines.push(f.inApp === false ? dim(text) : text);
      }
    }
    const tags = Object.entries(latest.tags ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (tags.length > 0)
      lines.push(
        '',
        table(
          ['TAG', 'VALUE'],
          tags.map(([k, v]) => [printable(k), tagText(v)]),
        ),
      );
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
