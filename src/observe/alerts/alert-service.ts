import type { ProjectConfig } from '../../config/model.js';
import { messageOf } from '../../shared/errors.js';
import { AlertEvaluator, type AlertEvaluatorDeps } from './evaluator.js';

export interface AlertServiceOptions extends AlertEvaluatorDeps {
  /** The projects to watch (read when a round is due, and at least every 5 s, so applied configs take effect). */
  projects: () => Promise<ProjectConfig[]>;
  /** How often to check which environments are due (default 1 s). */
  tickMs?: number;
}

/**
 * Runs the alert rules of every environment of every project, each at its `alerts.evaluateEvery`,
 * for as long as the coordinator runs: every live release is watched for its whole life. Rounds
 * of one environment never overlap; a round that fails is logged and tried again next time.
 */
/** The longest the timer goes without reading the projects. */
const configReadMs = 5000;

export class AlertService {
  private readonly evaluator: AlertEvaluator;
  private readonly lastRound = new Map<string, number>();
  private readonly running = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> = Promise.resolve();
  private closed = false;
  /**
   * The timer's ticks before this time (the clock's ms) skip reading the projects: no round is due before it. Reading
   * the projects every second to learn that nothing was due (rounds are 10 s apart by default) was one statement a
   * second of an idle coordinator.
   */
  private quietUntil = 0;

  constructor(private readonly options: AlertServiceOptions) {
    this.evaluator = new AlertEvaluator(options);
  }

  /** Start ticking. Idempotent. */
  start(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => {
      if (this.options.clock.now() < this.quietUntil) return;
      this.ticking = this.tick();
    }, this.options.tickMs ?? 1000);
    this.timer.unref();
  }

  /** One pass: run every environment whose round is due (also what tests call). */
  async tick(): Promise<void> {
    let projects: ProjectConfig[];
    try {
      projects = await this.options.projects();
    } catch (e) {
      this.options.logger.error({ err: messageOf(e) }, 'alert rules: cannot list projects');
      return;
    }
    const now = this.options.clock.now();
    const rounds: Promise<void>[] = [];
    // A new project or environment, or a shorter interval, is seen within this long.
    let nextDue = now + configReadMs;
    for (const config of projects) {
      for (const env of config.environments) {
        const key = `${config.project}/${env.name}`;
        const every = env.alerts?.evaluateEveryMs ?? 10_000;
        if (!this.closed && !this.running.has(key) && now - (this.lastRound.get(key) ?? 0) >= every) {
          this.running.add(key);
          this.lastRound.set(key, now);
          rounds.push(
            this.evaluator
              .evaluate(config, env)
              .then(() => undefined)
              .catch((e) =>
                this.options.logger.error(
                  { err: messageOf(e), project: config.project, environment: env.name },
                  'alert round failed',
                ),
              )
              .finally(() => this.running.delete(key)),
          );
        }
        nextDue = Math.min(nextDue, (this.lastRound.get(key) ?? 0) + every);
      }
    }
    this.quietUntil = nextDue;
    await Promise.all(rounds);
  }

  /** Stop evaluating and release the readers. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking.catch(() => undefined);
    for (const reader of this.options.readers) await reader.close();
  }
}
