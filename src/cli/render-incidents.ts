import type { z } from 'zod';
import type { incidentView, timelineEntryView } from '../api/incident-views.js';
import { openedBecause } from '../model/incident.js';
import { formatDuration } from '../shared/duration.js';
import { ago, bold, cyan, dim, painted, printable as p, red, table, yellow } from './output.js';

export type IncidentView = z.infer<typeof incidentView>;
export type TimelineEntryView = z.infer<typeof timelineEntryView>;

function stateWord(state: IncidentView['state']): string {
  return state === 'triggered' ? red(state) : state === 'acknowledged' ? yellow(state) : state;
}

function durations(i: IncidentView): string {
  const parts = [
    i.timeToAcknowledgeMs !== null ? `acknowledged after ${formatDuration(i.timeToAcknowledgeMs)}` : '',
    i.timeToResolveMs !== null ? `resolved after ${formatDuration(i.timeToResolveMs)}` : '',
  ].filter(Boolean);
  return parts.join(', ');
}

/** `slipway incidents`: one line per incident. */
export function renderIncidentList(incidents: IncidentView[], now = Date.now()): string {
  if (incidents.length === 0) return 'no incidents\n';
  const rows = table(
    ['ID', 'SEV', 'STATE', 'WHERE', 'OPENED', 'OWNER', 'TITLE'],
    incidents.map((i) => [
      i.id,
      i.severity,
      painted(stateWord(i.state)),
      `${i.service ? `${i.service}@` : ''}${i.environment}`,
      ago(i.openedAt, now),
      i.owner ?? '-',
      i.title.length > 70 ? `${i.title.slice(0, 69)}…` : i.title,
    ]),
  );
  return `${rows}\n`;
}

/** One line per state change: what `ack` and `resolve` print. */
export function renderIncidentChange(i: IncidentView): string {
  const extra = durations(i);
  return `${bold(i.id)} ${stateWord(i.state)}${i.owner ? ` (owner ${p(i.owner)})` : ''}${extra ? `; ${extra}` : ''}\n`;
}

/** What `resolve --resolution` prints when it only added the resolution: who resolved it and when stay as they were. */
export function renderResolutionAdded(i: IncidentView): string {
  const resolved = `resolved by ${p(String(i.resolvedBy))} at ${i.resolvedAt}`;
  return `${bold(i.id)} resolution added: ${p(String(i.resolution))} (${resolved})\n`;
}

/** What `incident open` prints: the id, how bad and where, then the state and owner. */
export function renderIncidentOpened(i: IncidentView): string {
  const where = `${i.environment}${i.service ? ` (${i.service})` : ''}`;
  return `${bold(i.id)} ${i.severity} in ${where}, ${stateWord(i.state)}${i.owner ? ` (owner ${p(i.owner)})` : ''}\n`;
}

/** A note's lines, each through printable() but for its tabs; trailing blank lines dropped. */
const noteLines = (text: string) =>
  text
    .replace(/\n+$/, '')
    .split('\n')
    .map((l) => p(l, '\t'));

type LinkView = IncidentView['links'][number];

/**
 * A link as people read it: `deployment of quote-api 1.0.0 → 9.9.9 (dep_…)`, `release quote-api 9.9.9`. A
 * deployment keeps its id, the handle `slipway logs`, `abort` and the dashboard take; a release is known by its
 * version. Without the service and versions (a coordinator before they were sent, a row gone) the id is all there is.
 */
export function linkText(l: LinkView): string {
  const known = l.service && l.version;
  if (l.kind === 'deployment')
    return known
      ? `deployment of ${l.service} ${l.fromVersion ? `${l.fromVersion} → ` : ''}${l.version} (${l.ref})`
      : `deployment ${l.ref}`;
  if (l.kind === 'release') return known ? `release ${l.service} ${l.version}` : `release ${l.ref}`;
  return `${l.kind === 'issue' ? 'error issue' : 'alert'} ${l.ref}`;
}

/** `slipway incident show`: the incident, its links, then its timeline. Stored text goes through printable(). */
export function renderIncident(view: { incident: IncidentView; timeline: TimelineEntryView[] }): string {
  const i = view.incident;
  const lines = [
    `${bold(i.id)} ${i.severity} ${stateWord(i.state)} — ${p(i.title)}`,
    `  where:    ${i.service ? `${i.service} in ` : ''}${i.environment} (project ${i.project})`,
    `  opened:   ${i.openedAt} by ${p(i.openedBy)}${i.source === 'manual' ? '' : ` ${openedBecause(i.source)}`}`,
    `  owner:    ${p(i.owner ?? 'none')}`,
  ];
  if (i.acknowledgedAt) lines.push(`  acked:    ${i.acknowledgedAt} by ${p(String(i.acknowledgedBy))}`);
  if (i.resolvedAt)
    lines.push(
      `  resolved: ${i.resolvedAt} by ${p(String(i.resolvedBy))}${i.resolution ? ` — ${p(i.resolution)}` : ''}`,
    );
  const extra = durations(i);
  if (extra) lines.push(`  ${extra}`);
  // One link a line: with service and versions, several no longer fit on one.
  for (const [n, l] of i.links.entries()) lines.push(`  ${n === 0 ? 'links:   ' : ' '.repeat(9)} ${p(linkText(l))}`);
  lines.push('', bold('Timeline'));
  for (const e of view.timeline) {
    const who = e.by && e.category === 'note' ? ` ${dim(`— ${p(e.by)}`)}` : '';
    // A note is what someone wrote: all of it, its lines under the first. Recorded events show their first line.
    const [first, ...more] = e.category === 'note' ? noteLines(e.text) : [p(e.text.split('\n')[0]!)];
    lines.push(`  ${dim(e.at)} ${cyan(e.category.padEnd(12))} ${first}${who}`);
    for (const l of more) lines.push(`  ${' '.repeat(e.at.length)} ${' '.repeat(12)} ${l}`);
    for (const f of e.figures) lines.push(`  ${' '.repeat(e.at.length)} ${' '.repeat(12)}   ${dim(p(f))}`);
  }
  if (view.timeline.length === 0) lines.push('  (nothing recorded yet)');
  return `${lines.join('\n')}\n`;
}
