import { comparedFigures } from '../judge/figure-text.js';
import type { MetricResult } from '../model/verdict.js';
import type { EventRecord } from '../store/repos/events.js';
import type { VerdictRecord } from '../store/repos/verdicts.js';

/** What a timeline entry is about. */
export type TimelineCategory =
  | 'deployment'
  | 'verdict'
  | 'alert'
  | 'notification'
  | 'incident'
  | 'note'
  | 'rollback'
  | 'issue';

export interface TimelineEntry {
  at: Date;
  category: TimelineCategory;
  /** The event kind, or `verdict.<outcome>`. */
  kind: string;
  text: string;
  /** Who, for people's entries (notes, acknowledgements). */
  by?: string;
  deploymentId?: string;
  /** A verdict's figures, one line per rule that was not a pass. */
  figures?: string[];
}

/** Rollback events get their own category: they are what people look for first. */
const rollbackKinds = new Set(['deployment.rolling_back', 'watch.regressed', 'rollout.rolling_back']);

function categoryOf(kind: string): TimelineCategory {
  if (rollbackKinds.has(kind)) return 'rollback';
  if (kind === 'incident.noted') return 'note';
  if (kind.startsWith('incident.')) return 'incident';
  if (kind.startsWith('alert.')) return 'alert';
  if (kind.startsWith('notification.')) return 'notification';
  if (kind.startsWith('error.issue.')) return 'issue';
  return 'deployment';
}

/** "error-rate.absolute [high]: candidate 19.6 % (51) vs stable 0.2 % (480); threshold > 1 %". */
export function figureLine(m: MetricResult): string {
  const figures = comparedFigures(m);
  return `${m.rule} [${m.classification}]: ${figures ? `${figures}; ` : ''}threshold ${m.threshold}`;
}

function verdictEntry(v: VerdictRecord): TimelineEntry {
  const figures = v.metrics.filter((m) => m.classification !== 'pass').map(figureLine);
  return {
    at: new Date(v.at),
    category: 'verdict',
    kind: `verdict.${v.outcome}`,
    text: `verdict ${v.outcome} (score ${Math.round(v.score)}${v.final ? ', end of analysis' : ''}): ${v.reason}`,
    deploymentId: v.deploymentId,
    ...(figures.length ? { figures } : {}),
  };
}

/**
 * A note's message starts with its author, who the entry names already (`by`): its text alone is what people read. A
 * resolution added later is a note too, whose message says "resolution added by …" (as notifications say it).
 */
function noteText(e: EventRecord): string {
  if (typeof e.data.note === 'string') return e.data.note;
  if (typeof e.data.resolution === 'string') return `resolution added: ${e.data.resolution}`;
  return e.message;
}

function eventEntry(e: EventRecord): TimelineEntry {
  const by = typeof e.data.by === 'string' ? e.data.by : undefined;
  const category = categoryOf(e.kind);
  return {
    at: e.at,
    category,
    kind: e.kind,
    text: category === 'note' ? noteText(e) : e.message,
    ...(by ? { by } : {}),
    ...(e.deploymentId ? { deploymentId: e.deploymentId } : {}),
  };
}

/**
 * The incident's timeline from recorded facts, oldest first. The judge's `analysis.*` events are
 * left out: the verdicts they announce are shown from the verdicts table, with their figures.
 */
export function buildTimeline(events: EventRecord[], verdicts: VerdictRecord[]): TimelineEntry[] {
  const entries = [
    ...events.filter((e) => !e.kind.startsWith('analysis.')).map(eventEntry),
    ...verdicts.map(verdictEntry),
  ];
  // Stable sort: entries at the same instant keep events before verdicts, each in recorded order.
  return entries.sort((a, b) => a.at.getTime() - b.at.getTime());
}
