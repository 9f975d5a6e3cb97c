import type { EventRecord } from '../store/repos/events.js';
import type { RollbackOutcome } from '../model/deployment.js';
import { defaultSeverity, type IncidentSource, type Severity } from '../model/incident.js';

/**
 * Who, in the engine, rolls a deployment back by itself: the canary judge aborts with this name
 * (src/engine/engine.ts). A rollback with no `by` comes from a failed step (health, gates).
 */
const automaticActors = new Set(['canary judge']);

/** What one event means for incidents. */
export type EventEffect =
  /** Open an incident (or join the open one of the same deployment / alert group). */
  | {
      kind: 'open';
      source: Exclude<IncidentSource, 'manual'>;
      severity: Severity;
      reason: string;
      deploymentId?: string;
      alert?: { group: string; rule: string };
      /** A rollback's: `failed` when the candidate never served traffic (the deployment ends failed). */
      outcome?: RollbackOutcome;
    }
  /** A new deployment of a service with an open incident (a fix, or the watch's rollback): it joins the incident. */
  | { kind: 'linkDeployment'; deploymentId: string }
  /** An alert changed state: it joins its group's open incident. */
  | { kind: 'linkAlert'; group: string; rule: string }
  /** An error issue appeared or came back: it joins the open incidents of its environment (and release). */
  | { kind: 'linkIssue'; issue: string; release?: string }
  | { kind: 'none' };

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function firstLine(s: string | undefined): string {
  return (s ?? '').split('\n')[0]!;
}

/** The effect of one event, decided from the event alone (pure; the follower looks up the rest). */
export function effectOf(e: Pick<EventRecord, 'kind' | 'data' | 'deploymentId'>): EventEffect {
  const d = e.data;
  switch (e.kind) {
    case 'deployment.rolling_back': {
      const by = text(d.by);
      if (by !== undefined && !automaticActors.has(by)) return { kind: 'none' }; // a person asked
      const outcome = d.outcome === 'failed' ? 'failed' : 'rolled_back';
      return {
        kind: 'open',
        source: 'rollback',
        severity: defaultSeverity('rollback', outcome),
        outcome,
        reason: firstLine(text(d.reason)),
        ...(e.deploymentId ? { deploymentId: e.deploymentId } : {}),
      };
    }
    case 'watch.regressed':
      return {
        kind: 'open',
        source: 'watch',
        severity: defaultSeverity('watch'),
        reason: firstLine(text(d.reason)),
        ...(e.deploymentId ? { deploymentId: e.deploymentId } : {}),
      };
    case 'deployment.finished':
      if (d.state !== 'failed') return { kind: 'none' };
      return {
        kind: 'open',
        source: 'deployment',
        severity: defaultSeverity('deployment'),
        reason: firstLine(text(d.reason)),
        ...(e.deploymentId ? { deploymentId: e.deploymentId } : {}),
      };
    case 'deployment.started':
    case 'deployment.queued':
      return e.deploymentId ? { kind: 'linkDeployment', deploymentId: e.deploymentId } : { kind: 'none' };
    case 'alert.firing':
    case 'alert.resolved': {
      // The alerts capability names it groupKey; `group` is accepted too.
      const group = text(d.group) ?? text(d.groupKey);
      const rule = text(d.rule);
      if (!group || !rule) return { kind: 'none' };
      if (e.kind === 'alert.firing' && d.severity === 'critical')
        return {
          kind: 'open',
          source: 'alert',
          severity: defaultSeverity('alert'),
          reason: alertReason(d),
          alert: { group, rule },
        };
      return { kind: 'linkAlert', group, rule };
    }
    case 'error.issue.new':
    case 'error.issue.regressed': {
      const issue = text(d.issue);
      const release = text(d.release);
      return issue ? { kind: 'linkIssue', issue, ...(release ? { release } : {}) } : { kind: 'none' };
    }
    default:
      return { kind: 'none' };
  }
}

/** "critical alert error-rate-high: value 0.12, threshold 0.05" from an alert event's figures. */
function alertReason(d: Record<string, unknown>): string {
  const figures =
    d.value !== undefined && d.threshold !== undefined
      ? `: value ${String(d.value)}, threshold ${String(d.threshold)}`
      : '';
  return `critical alert ${String(d.rule)}${figures}`;
}
