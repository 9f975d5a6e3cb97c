import { openedBecause } from '../model/incident.js';
import { formatDuration } from '../shared/duration.js';
import type { IncidentWithTimeline } from './view.js';
import { markdownLines, markdownText as md } from './markdown-text.js';
import { figuresSection } from './postmortem-figures.js';
import type { TimelineEntry } from './timeline.js';

/** The change behind an incident: the deployment that triggered it and the commits between its two releases. */
export interface TriggeringChange {
  deploymentId: string;
  service: string;
  environment: string;
  fromVersion?: string;
  toVersion: string;
  /** When the candidate first served traffic. */
  trafficShiftedAt?: Date;
  /** The commits between the two releases, newest first; or why they are not listed. */
  commits: { sha: string; author: string; subject: string }[] | { unavailable: string };
}

export interface PostmortemInput extends IncidentWithTimeline {
  change?: TriggeringChange;
  /** The version each linked deployment deployed, by deployment id (labels the figures of each). */
  versions?: Record<string, string>;
  now: Date;
}

function iso(d: Date): string {
  return d.toISOString().replace('.000Z', 'Z');
}

/**
 * When users were hurt: from the candidate's first traffic (or the first firing alert, or the
 * opening) until the service was stable again (the rollback finished), the alerts resolved, or the
 * incident was resolved — whichever the record shows first.
 */
export function impactWindow(input: PostmortemInput): { start: Date; end?: Date } {
  const { incident, timeline, change } = input;
  const firing = timeline.find((e) => e.kind === 'alert.firing');
  const start = change?.trafficShiftedAt ?? firing?.at ?? incident.openedAt;
  // Stable again: the first deployment that finished after the rollback began (the rolled back one, or the watch's
  // rollback deployment).
  const rollback = timeline.find((e) => e.category === 'rollback');
  const stable = rollback && timeline.find((e) => e.kind === 'deployment.finished' && e.at >= rollback.at);
  const resolvedAlerts = [...timeline].reverse().find((e) => e.kind === 'alert.resolved');
  const end = (incident.source === 'alert' ? resolvedAlerts?.at : stable?.at) ?? incident.resolvedAt;
  return end && end >= start ? { start, end } : { start };
}

/**
 * A deployment's incident whose candidate never got traffic and no alert fired: nobody was served by it, so a window
 * from the opening to the rollback (milliseconds) would only mislead.
 */
function neverServed(input: PostmortemInput): boolean {
  const { change, incident, timeline } = input;
  return (
    change !== undefined &&
    change.trafficShiftedAt === undefined &&
    incident.source !== 'alert' &&
    !timeline.some((e) => e.kind === 'alert.firing')
  );
}

/**
 * One timeline entry. A note is what someone wrote: all of it, its first line on the entry and the others in a
 * block quote under it (each ending in a hard break, `\`, so they stay lines once rendered); a recorded event shows
 * its first line, as `incident show` does.
 */
function entryLine(e: TimelineEntry): string {
  const note = e.category === 'note';
  const who = e.by && note ? ` (${md(e.by)})` : '';
  const [first = '', ...more] = note ? markdownLines(e.text) : [md(e.text.split('\n')[0]!)];
  const lines = [`- ${iso(e.at)} — **${e.category}** ${first}${who}`];
  for (const [n, l] of more.entries()) lines.push(`  >${l ? ` ${l}` : ''}${l && more[n + 1] ? '\\' : ''}`);
  for (const f of e.figures ?? []) lines.push(`  - ${md(f)}`);
  return lines.join('\n');
}

function changeSection(change: TriggeringChange | undefined): string[] {
  if (!change) return ['No deployment is linked to this incident.'];
  const from = change.fromVersion ? md(change.fromVersion) : '(nothing)';
  const lines = [
    `Deployment \`${change.deploymentId}\`: ${md(change.service)} ${from} → ${md(change.toVersion)} in ` +
      `${md(change.environment)}.`,
    '',
  ];
  if ('unavailable' in change.commits) lines.push(`Commits: not listed (${md(change.commits.unavailable)}).`);
  else if (change.commits.length === 0) lines.push('Commits: none between the two releases.');
  else {
    lines.push(`Commits between ${md(change.fromVersion ?? '')} and ${md(change.toVersion)}:`, '');
    // Subjects and authors are whatever was committed: as inert as people's notes.
    for (const c of change.commits) lines.push(`- \`${c.sha.slice(0, 12)}\` ${md(c.subject)} (${md(c.author)})`);
  }
  return lines;
}

/** The Markdown draft of a postmortem: what the store knows, and empty places for what people decide. */
export function renderPostmortem(input: PostmortemInput): string {
  const { incident: i, timeline } = input;
  const window = impactWindow(input);
  const duration = formatDuration((window.end ?? input.now).getTime() - window.start.getTime());
  const state =
    i.state === 'resolved'
      ? `resolved ${iso(i.resolvedAt!)} by ${md(i.resolvedBy ?? 'unknown')}` +
        (i.resolution ? ` (${md(i.resolution)})` : '')
      : `${i.state} (draft written ${iso(input.now)})`;
  const ttx = [
    input.timeToAcknowledgeMs !== undefined ? `acknowledged after ${formatDuration(input.timeToAcknowledgeMs)}` : '',
    input.timeToResolveMs !== undefined ? `resolved after ${formatDuration(input.timeToResolveMs)}` : '',
  ].filter(Boolean);
  return [
    `# Postmortem: ${md(i.title)}`,
    '',
    `*Draft generated by Slipway from incident \`${i.id}\`. Edit freely; the facts below come from the record.*`,
    '',
    '## Summary',
    '',
    `- Incident: \`${i.id}\`, ${i.severity}, ${state}`,
    `- Where: ${i.service ? `${md(i.service)} in ` : ''}${md(i.environment)} (project ${md(i.project)})`,
    `- Opened ${iso(i.openedAt)} by ${md(i.openedBy)}${i.source === 'manual' ? '' : ` ${openedBecause(i.source)}`}` +
      (ttx.length ? `; ${ttx.join(', ')}` : ''),
    `- Owner: ${md(i.owner ?? 'none')}`,
    '',
    '## Impact window',
    '',
    neverServed(input)
      ? `None recorded: the candidate (${md(input.change!.service)} ${md(input.change!.toVersion)}, deployment ` +
        `\`${input.change!.deploymentId}\`) never served traffic, and no alert fired.`
      : `${iso(window.start)} → ${window.end ? iso(window.end) : 'ongoing'} (${duration}).`,
    '',
    '## Trigger',
    '',
    ...changeSection(input.change),
    '',
    '## Figures',
    '',
    ...figuresSection(input),
    '',
    '## Timeline',
    '',
    ...(timeline.length ? timeline.map(entryLine) : ['Nothing was recorded.']),
    '',
    '## Action items',
    '',
    '| Action | Owner | Due |',
    '| --- | --- | --- |',
    '|  |  |  |',
    '',
  ].join('\n');
}
