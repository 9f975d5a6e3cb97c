import type { EnvironmentConfig, ProjectConfig } from '../../config/model.js';
import type { Clock } from '../../shared/clock.js';
import { messageOf } from '../../shared/errors.js';
import type { Logger } from '../../shared/logging.js';
import type { Db } from '../../store/db.js';
import type { NewEvent } from '../../store/repos/events.js';
import { listActiveAlerts, replaceActiveAlerts, saveReadings } from '../../store/repos/alerts.js';
import { type ActiveAlert, advance, dueForAnnouncement } from './alert-state.js';
import { alertEvent, describeAlert } from './announcements.js';
import { applyMuting } from './muting.js';
import { type RuleObservation, observe, type TargetedReading } from './observations.js';
import type { AlertReader } from './reader.js';
import { type AlertRule, readingOf, ruleOf, rulesFor, summaryOf, watches } from './rules.js';
import { activeSilences, expireEndedSilences } from './silence-service.js';
import { environmentTarget, liveTargets } from './targets.js';

export interface AlertEvaluatorDeps {
  db: Db;
  events: { emit(event: NewEvent): Promise<unknown> };
  readers: AlertReader[];
  clock: Clock;
  logger: Logger;
  /**
   * A critical alert was announced for a service (firing, not silenced): the post-deploy watch
   * rolls a release it is watching back. Errors are logged, never thrown into the round.
   */
  onCritical?: (alert: { project: string; environment: string; service: string; reason: string }) => Promise<void>;
}

/**
 * One evaluation round of an environment: read every live service (and the environment-wide
 * checks), advance each rule's alerts, mute by inhibition and silences, announce what changed as
 * events, and store the outcome — so a restarted coordinator carries on with the same timers.
 */
export class AlertEvaluator {
  constructor(private readonly deps: AlertEvaluatorDeps) {}

  async evaluate(config: ProjectConfig, env: EnvironmentConfig): Promise<ActiveAlert[]> {
    const { db, clock } = this.deps;
    const project = config.project;
    const rules = env.alerts?.enabled === false ? [] : rulesFor(env.alerts);
    const readings = rules.length > 0 ? await this.read(config, env.name) : [];
    const observed = observe(rules, readings);
    const now = clock.now();
    const previous = await listActiveAlerts(db, project, env.name);
    const byFingerprint = new Map(observed.map((o) => [o.identity.fingerprint, o]));
    const next: ActiveAlert[] = [];
    const resolved: ActiveAlert[] = [];
    for (const prev of previous) {
      const o = byFingerprint.get(prev.fingerprint);
      byFingerprint.delete(prev.fingerprint);
      // A rule that was turned off (or a target gone) clears at once.
      const rule = o?.rule ?? rules.find((r) => r.name === prev.rule) ?? { forMs: 0, keepFiringForMs: 0 };
      const { next: alert, transition } = advance(prev, o?.seen ?? { breached: false }, rule, now, prev);
      if (alert) next.push(alert);
      if (transition === 'resolved' && prev.lastNotifiedAt !== undefined) resolved.push(prev);
    }
    for (const o of byFingerprint.values()) {
      const { next: alert } = advance(undefined, o.seen, o.rule, now, o.identity);
      if (alert) next.push(alert);
    }
    await expireEndedSilences(db, this.deps.events, project, env.name, now);
    const muted = applyMuting(next, await activeSilences(db, project, env.name, now));
    const announced: ActiveAlert[] = [];
    const final = muted.map((a) => {
      if (!dueForAnnouncement(a, now, env.alerts?.repeatIntervalMs ?? 4 * 3_600_000)) return a;
      announced.push(a);
      return { ...a, lastNotifiedAt: now };
    });
    await db.transaction(async (tx) => {
      await replaceActiveAlerts(tx, project, env.name, final);
      await saveReadings(tx, project, env.name, now, readingsView(readings, observed));
    });
    for (const a of resolved) await this.deps.events.emit(alertEvent('alert.resolved', a, ...ruleText(a, rules)));
    for (const a of announced) {
      await this.deps.events.emit(alertEvent('alert.firing', a, ...ruleText(a, rules)));
      const firstTime = !previous.some((p) => p.fingerprint === a.fingerprint && p.lastNotifiedAt !== undefined);
      if (a.severity === 'critical' && firstTime && a.labels.service && this.deps.onCritical) {
        await this.deps
          .onCritical({
            project,
            environment: env.name,
            service: a.labels.service,
            reason: describeAlert(a, ...ruleText(a, rules)),
          })
          .catch((e) => this.deps.logger.error({ err: messageOf(e), rule: a.rule }, 'critical alert hook failed'));
      }
    }
    return final;
  }

  /** Every reader's readings: per live service, and once for the environment-wide ones. */
  private async read(config: ProjectConfig, environment: string): Promise<TargetedReading[]> {
    const targets = await liveTargets(this.deps.db, config, environment);
    const whole = environmentTarget(config.project, environment);
    const jobs: Promise<TargetedReading[]>[] = [];
    for (const reader of this.deps.readers) {
      for (const target of reader.scope === 'environment' ? [whole] : targets) {
        jobs.push(
          reader.read(target).then(
            (readings) => readings.map((reading) => ({ target, reading })),
            // A reader must not throw; if one does, the round goes on without it.
            (e) => [{ target, reading: { name: reader.name, labels: {}, phase: 'error', message: messageOf(e) } }],
          ),
        );
      }
    }
    return (await Promise.all(jobs)).flat();
  }
}

/** The reading and summary text of an alert's rule (the seed's text for a rule no longer configured). */
function ruleText(a: ActiveAlert, rules: AlertRule[]): [string, string] {
  const rule = ruleOf(a.rule, rules);
  return [rule ? readingOf(rule, a.labels) : a.rule, rule ? summaryOf(rule) : a.rule];
}

/** What `slipway alerts` shows of the last round: every reading, failed checks included. */
function readingsView(readings: TargetedReading[], observed: RuleObservation[]) {
  return readings.map(({ target, reading }) => ({
    service: target.service || reading.labels.service || null,
    ...reading,
    rules: observed
      .filter(
        (o) => watches(o.rule, reading) && o.identity.labels.service === (target.service || reading.labels.service),
      )
      .map((o) => o.rule.name)
      .filter((v, i, all) => all.indexOf(v) === i),
  }));
}
